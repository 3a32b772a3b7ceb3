// A stream's schedule: how long between two sync passes, written as a duration ("15m", "1h",
// "1d"). One parser for the manifest's schema and the host's per-connection override, so
// both accept and refuse the same strings.
import { z } from "zod";

/** The shortest pass interval a schedule may ask for (a pass per minute at most). */
export const MIN_SCHEDULE_MS = 60_000;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY = /^([1-9][0-9]{0,5})(m|h|d)$/;

/** Milliseconds of a schedule's `every` ("15m", "1h", "1d"), or undefined when it is not one. */
export function scheduleEveryMs(every: string): number | undefined {
  const match = EVERY.exec(every);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const streamScheduleSchema = z.strictObject({
  /** The pause between two passes of the stream, before jitter: minutes, hours or days. */
  every: z.string().refine((v) => scheduleEveryMs(v) !== undefined, 'must be a whole number of minutes, hours or days, like "15m", "1h" or "1d"'),
});
