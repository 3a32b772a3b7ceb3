// Builds a fixture connector's routes the way `tsc` would emit them: each route as an ES
// module under <connector>/dist/src, for tests of the built (dist) and isolated modes.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

/** What `tsc` would emit for the fixture connector: each route as an ES module. */
export function buildConnector(srcDir: string, outDir: string): void {
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const from = join(srcDir, entry.name);
    if (entry.isDirectory()) {
      buildConnector(from, join(outDir, entry.name));
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(from, "utf8"), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }, fileName: from });
    const to = join(outDir, entry.name.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, outputText);
  }
}
