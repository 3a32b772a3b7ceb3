import { describe, expect, it } from "vitest";
import { bulkStepText, progressLine } from "../src/progress.js";

const progress = { stream: "orders", pages: 3, records: 500, rejected: 0, retries: 0, rate: 250, done: false };

describe("demo progress", () => {
  it("shows a bulk pass's job status and objects, then the file being read", () => {
    expect(progressLine(1, 3, "orders", { ...progress, lastPage: { mode: "bulk", step: "running", status: "RUNNING", objectCount: 12_345 } })).toContain(
      "bulk job RUNNING · 12,345 objects",
    );
    expect(bulkStepText({ mode: "bulk", step: "read", offset: 2048, eof: false })).toBe("bulk file · 2,048 bytes read");
  });
  it("a job that failed part-way shows its partial file, then the rest of its window", () => {
    expect(bulkStepText({ mode: "bulk", step: "downloaded", status: "FAILED", objectCount: 900, bytes: 4096, partial: true })).toBe(
      "bulk job FAILED · 900 objects · partial file 4,096 bytes",
    );
    expect(bulkStepText({ mode: "bulk", step: "read", offset: 2048, eof: true, partial: true })).toBe(
      "bulk partial file · 2,048 bytes read (done: the rest of the window runs again)",
    );
  });
  it("a paged stream shows pages only", () => {
    expect(progressLine(0, 3, "customers", { ...progress, lastPage: { stream: "customers", fetched: 100 } })).not.toContain("bulk");
  });
});
