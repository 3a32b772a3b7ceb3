// Each stream's checkpoint (the connector's own JSON object), decoded on read.
import type { CheckpointState } from "@backfill-io/sdk";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, JSON_OBJECT_SCHEMA } from "./json-columns.js";

export class CheckpointsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async put(connectionId: string, stream: string, state: CheckpointState): Promise<void> {
    const now = this.ctx.now();
    const stateJson = JSON.stringify(state);
    await this.ctx.db
      .insertInto("checkpoints")
      .values({ connection_id: connectionId, stream, state_json: stateJson, updated_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet({ state_json: stateJson, updated_at: now }))
      .execute();
  }

  async get(connectionId: string, stream: string): Promise<CheckpointState | undefined> {
    const row = await this.ctx.db.selectFrom("checkpoints").select("state_json").where("connection_id", "=", connectionId).where("stream", "=", stream).executeTakeFirst();
    return row ? decodeJsonColumn("checkpoints.state_json", `${connectionId}/${stream}`, row.state_json, JSON_OBJECT_SCHEMA) : undefined;
  }

  async delete(connectionId: string, stream: string): Promise<void> {
    await this.ctx.db.deleteFrom("checkpoints").where("connection_id", "=", connectionId).where("stream", "=", stream).execute();
  }
}
