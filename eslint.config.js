// ESLint flat config: typescript-eslint's type-aware rules for every workspace.
// `await-thenable` flags `await Http.post(...)` (the SDK is synchronous by design);
// `no-floating-promises` flags a forgotten await on the host's real promises.
// The no-unsafe-* rules: no `any` flows unchecked. Provider and request bodies are `unknown` until
// parsed (zod or a typed accessor), JSON.parse results are narrowed before use, tests name the
// shapes they read (`fixture<T>()`, `responseJson<T>()`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/schema/**", "**/lint-probe/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unsafe-assignment": "error",
      "@typescript-eslint/no-unsafe-member-access": "error",
      "@typescript-eslint/no-unsafe-argument": "error",
      "@typescript-eslint/no-unsafe-return": "error",
      "@typescript-eslint/no-unsafe-call": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // Import boundaries. A connector is a package that uses only the public SDK and the shared
    // helper (plus node:crypto for signatures): it never reaches into the host, the CLI, the
    // emulators or another package's files. The SDK and the helper know nothing of the host.
    files: ["connectors/*/src/**/*.ts", "connectors/*/backfill.config.ts", "packages/oauth-helpers/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@backfill-io/*", "!@backfill-io/sdk", "!@backfill-io/oauth-helpers"],
              message: "connectors and oauth-helpers import only @backfill-io/sdk and @backfill-io/oauth-helpers",
            },
            { group: ["@backfill-io/sdk/*", "!@backfill-io/sdk/testing"], message: "connector code uses the SDK's public entry (@backfill-io/sdk), not its internals" },
            {
              group: ["../../../../**", "**/packages/**", "**/connectors/**", "**/node_modules/**"],
              message: "import another package by its name, never by a relative path into its folder",
            },
            {
              group: [
                "node:*",
                "!node:crypto",
                "fs",
                "fs/*",
                "child_process",
                "worker_threads",
                "net",
                "http",
                "https",
                "http2",
                "dgram",
                "os",
                "path",
                "process",
                "vm",
                "module",
                "cluster",
                "inspector",
              ],
              message: "connector routes run in the host's sandbox: only node:crypto is allowed (use the SDK for HTTP, files and settings)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/sdk/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@backfill-io/*", "!@backfill-io/sdk"], message: "the SDK depends on no other workspace package" }] }],
    },
  },
  {
    // The host's store is the only code that speaks SQL: everything else goes through its
    // repositories, so the SQLite and PostgreSQL stores stay interchangeable.
    files: ["packages/host/src/**/*.ts"],
    ignores: ["packages/host/src/store/**"],
    rules: {
      // (The job queue's graphile-worker needs its own pg pool: pg stays allowed there.)
      "no-restricted-imports": ["error", { patterns: [{ group: ["kysely", "kysely/*", "better-sqlite3"], message: "only packages/host/src/store/ talks to the database" }] }],
    },
  },
  {
    // The route runner depends only on the SDK and its own services interface (runner/services.ts):
    // the wiring in src/app/ gives it the store, tokens, files and paths. (A block of its own
    // replaces the rule above for these files, so the database patterns are repeated.)
    files: ["packages/host/src/runner/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["kysely", "kysely/*", "better-sqlite3"], message: "only packages/host/src/store/ talks to the database" },
            {
              // The host's HTTP stack (src/http/) is the exception: a leaf the runner's own transport is made from.
              regex: "^\\.\\./(?!http/[^/]+\\.js$)",
              message:
                "runner/ imports only the SDK, runner/ itself and the HTTP stack (../http/): what it needs from the host comes through runner/services.ts (wired in src/app/)",
            },
          ],
        },
      ],
    },
  },
  {
    // The owner's guide, verbatim: node:test's test() returns a promise the runner tracks.
    files: ["**/guide-connector/test/**"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
  {
    // vitest types its asymmetric matchers (expect.any, expect.stringContaining, ...) as `any`, so
    // putting one in an expected object is an "unsafe assignment"; every other no-unsafe-* rule
    // stays on in tests (reading a member of an untyped body is still an error).
    files: ["**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  {
    // The owner's guide, verbatim: its test_connection reads provider JSON untyped
    // (`response.body.data.shop`), which is what Http's documented `any` default is for.
    files: ["**/guide-connector/src/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
);
