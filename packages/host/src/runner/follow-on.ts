// When a sync's next page may start before the page before it commits: the page staged its
// stream's checkpoint alone, with more to read and no pause, and nothing the next page could
// read or be stopped by (a connection status, webhook deliveries). The route's isolate decides
// it from the calls the route made (it starts the next page itself) and the sync engine
// from what the host staged; one rule, so the two agree.
import type { StagedCheckpoint, StagedWrites } from "./staging.js";

export type FollowOnSummary = {
  checkpoints: readonly Pick<StagedCheckpoint, "stream" | "hasMore" | "pauseSeconds">[];
  connectionStatus: boolean;
  webhookDeliveries: number;
};

export function followOnAllowed(page: FollowOnSummary, stream: string): boolean {
  const [only, ...others] = page.checkpoints;
  return only !== undefined && others.length === 0 && only.stream === stream && only.hasMore && !only.pauseSeconds && !page.connectionStatus && page.webhookDeliveries === 0;
}

/** A checkpoint's pause as the host stages it (session.ts): a positive number of seconds, or none. */
export function stagedPause(pauseSeconds: unknown): number | undefined {
  return typeof pauseSeconds === "number" && pauseSeconds > 0 ? pauseSeconds : undefined;
}

/** What the host staged for a page, as the rule reads it. */
export function stagedFollowOnSummary(staged: StagedWrites): FollowOnSummary {
  return { checkpoints: staged.checkpoints, connectionStatus: staged.connectionStatus !== undefined, webhookDeliveries: staged.webhookDeliveries.length };
}
