// The repo's ESLint config flags misuse of the synchronous SDK: `await Http.post(...)`
// (await-thenable) and a forgotten await on a real promise (no-floating-promises).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";

// Written at test time into a folder the repo's own lint run ignores (it runs beside this test).
const dir = join(import.meta.dirname, "lint-probe");
const file = join(dir, "probe.ts");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("eslint config", () => {
  it("flags await on the synchronous SDK and floating promises", async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      `import { Http } from "../../src/index.js";
export async function route(): Promise<number> {
  const response = await Http.post("https://api.example.com/x", {});
  Promise.resolve(1);
  return response.status;
}
`,
    );
    const eslint = new ESLint({ cwd: join(import.meta.dirname, ".."), ignore: false });
    const [result] = await eslint.lintFiles([file]);
    const rules = result!.messages.map((m) => m.ruleId);
    expect(rules).toContain("@typescript-eslint/await-thenable");
    expect(rules).toContain("@typescript-eslint/no-floating-promises");
  }, 60_000);
});
