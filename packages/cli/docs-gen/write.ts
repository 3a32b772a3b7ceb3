// npm run docs: writes docs/manifest-reference.md and docs/sdk-reference.md at the repository root.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { manifestReferenceMarkdown } from "./manifest-reference.js";
import { sdkReferenceMarkdown } from "./sdk-reference.js";

export const DOCS_DIR = fileURLToPath(new URL("../../../docs/", import.meta.url));
export const GENERATED_DOCS: Record<string, () => string> = {
  "manifest-reference.md": manifestReferenceMarkdown,
  "sdk-reference.md": sdkReferenceMarkdown,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const [name, render] of Object.entries(GENERATED_DOCS)) {
    writeFileSync(DOCS_DIR + name, render());
    console.log(`wrote docs/${name}`);
  }
}
