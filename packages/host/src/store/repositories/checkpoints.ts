// Each stream's checkpoint (the connector's own JSON object), decoded on read.
import type { CheckpointState } from "@backfill-io/sdk";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, JSON_OBJECT_SCHEMA } from "./json-columns.js";
import { preparedQuery } from "../prepared.js";

/** Prepared: every sync page writes its stream's checkpoint with it. */
const putCheckpoint = preparedQuery((db, v: { connectionId: string; stream: string; stateJson: string; now: number }) =>
  db
    .insertInto("checkpoints")
    .values({ connection_id: v.connectionId, stream: v.stream, state_json: v.stateJson, updated_at: v.now })
    .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet({ state_json: v.stateJson, updated_at: v.now })),
);

export class CheckpointsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async put(connectionId: string, stream: string, state: CheckpointState): Promise<void> {
    await putCheckpoint(this.ctx.db, { connectionId, stream, stateJson: JSON.stringify(state), now: this.ctx.now() });
  }

  async get(connectionId: string, stream: string): Promise<CheckpointState | undefined> {
    const row = await this.ctx.db.selectFrom("checkpoints").select("state_json").where("connection_id", "=", connectionId).where("stream", "=", stream).executeTakeFirst();
    return row ? decodeJsonColumn("checkpoints.state_json", `${connectionId}/${stream}`, row.state_json, JSON_OBJECT_SCHEMA) : undefined;
  }

  async delete(connectionId: string, stream: string): Promise<void> {
    await this.ctx.db.deleteFrom("checkpoints").where("connection_id", "=", connectionId).where("stream", "=", stream).execute();
  }
}
