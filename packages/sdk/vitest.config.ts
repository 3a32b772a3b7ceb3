import { configDefaults, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The guide's own test is a node:test file, run verbatim by `node --test` (see package.json).
export default mergeConfig(shared, { test: { exclude: [...configDefaults.exclude, "test/guide-connector/**"] } });
