import { describe, expect, it } from "vitest";
import { bulkStepText, progressLine } from "../src/progress.js";

const progress = { stream: "orders", pages: 3, records: 500, rejected: 0, retries: 0, rate: 250, done: false };

describe("demo progress", () => {
  it("shows a bulk pass's job status and objects, then the file being read", () => {
    expect(progressLine(1, 3, "orders", { ...progress, lastPage: { mode: "bulk", step: "running", status: "RUNNING", objectCount: 12_345 } })).toContain("bulk job RUNNING · 12,345 objects");
    expect(bulkStepText({ mode: "bulk", step: "read", offset: 2048, eof: false })).toBe("bulk file · 2,048 bytes read");
  });
  it("a paged stream shows pages only", () => {
    expect(progressLine(0, 3, "customers", { ...progress, lastPage: { stream: "customers", fetched: 100 } })).not.toContain("bulk");
  });
});
