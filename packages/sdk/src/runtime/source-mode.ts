// "Running from source?" asked one way everywhere: is a module TypeScript, i.e. did a
// TypeScript loader (vitest, tsx) with the `source` export condition load it? Asked of the
// SDK itself (the default), it says whether this process runs the workspace from source,
// and so can import a connector's .ts manifest and routes. No test runner is looked for.
export function runningFromSource(moduleUrl: string = import.meta.url): boolean {
  return /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
}
