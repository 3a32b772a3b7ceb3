// Redaction benchmarks (not tests): a long-running host registers every token it decrypts, so
// the redactor holds as many live secrets as the host has connections (times two). What a log line
// or an answer costs with 100,000 of them, against a redactor with none, measured in this run.
import { randomBytes } from "node:crypto";
import { Redactor } from "../src/index.js";

const LIVE = 100_000;
const fmt = (n: number, unit: string) => `${n < 10 ? n.toFixed(3) : Math.round(n).toLocaleString("en-US")} ${unit}`;
const secret = () => `shpat_${randomBytes(16).toString("hex")}`;

/** A 10 KB log line: JSON-ish text with ids, URLs and words, and one live secret in the middle. */
function line(withSecret: string): string {
  const parts: string[] = [];
  while (parts.join(" ").length < 10_000) parts.push(`{"id":"gid://shopify/Order/${parts.length}","url":"https://acme.myshopify.com/admin/orders/${parts.length}","note":"paid"}`);
  parts.splice(parts.length >> 1, 0, `token=${withSecret}`);
  return parts.join(" ").slice(0, 10_240);
}

function perCallMs(fn: () => void, n: number): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

const empty = new Redactor();
const full = new Redactor();
const live = Array.from({ length: LIVE }, secret);
const t0 = performance.now();
for (const s of live) full.register(s);
const registerAllMs = performance.now() - t0;
const text = line(live[LIVE >> 1]!);
if (full.redactString(text).includes(live[LIVE >> 1]!)) throw new Error("the live secret was not redacted");

const baseline = perCallMs(() => empty.redactString(text), 200);
const loaded = perCallMs(() => full.redactString(text), 200);
// The pattern that used to cost seconds: register one more, then the next redaction.
const registerThenRedact = perCallMs(() => {
  const one = secret();
  full.register(one);
  full.redactString(text);
  full.unregister(one);
}, 50);
const registerOne = perCallMs(() => full.register(secret()), 1_000);

const heapMb = process.memoryUsage().heapUsed / 1e6;
const rows: [string, string, string, string][] = [
  [`redact a 10 KB line, ${LIVE.toLocaleString("en-US")} live secrets`, fmt(loaded, "ms"), fmt(baseline, "ms with none"), `${(loaded / baseline).toFixed(1)}× (target ≤ 1 ms)`],
  ["register one more, then redact that line", fmt(registerThenRedact, "ms"), fmt(loaded, "ms redact only"), `${(registerThenRedact / loaded).toFixed(1)}× (target ≤ 1 ms)`],
  ["register one more secret", fmt(registerOne, "ms"), fmt(registerAllMs / LIVE, "ms each, bulk"), "target ≤ 1 ms"],
  [`heap with ${LIVE.toLocaleString("en-US")} live secrets`, fmt(heapMb, "MB"), "", ""],
];
const width = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
console.log("\nSDK redaction benchmarks\n");
for (const r of rows) console.log(r.map((c, i) => c.padEnd(width[i]!)).join("  "));
