// Attacks on the operator dashboard and the cookie-authenticated JSON API: a login form
// posted without its CSRF token (login CSRF), a wrong key, a cross-site request riding the
// session cookie without the session's CSRF token, a session whose API key was revoked,
// and a cross-origin form post to /oauth/start. Each must fail, write nothing, and say why.
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/server/index.js";
import { demoServerBed } from "./support.js";

const bed = demoServerBed();

/** A browser's cookie jar over fetch, with manual redirects. */
class Jar {
  readonly cookies = new Map<string, string>();
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${bed.server.url}${path}`, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    return res;
  }
  /** Signs in with `key` through the real login form; the session's CSRF token. */
  async signIn(key: string): Promise<string> {
    const form = await (await this.fetch("/ui/login")).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const res = await this.fetch("/ui/login", { method: "POST", body: new URLSearchParams({ _csrf: csrf, apiKey: key }) });
    expect(res.status).toBe(303);
    const page = await (await this.fetch("/ui")).text();
    return /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
  }
}

const sessionCookie = (jar: Jar) => [...jar.cookies.keys()].find((k) => k.includes("bf_dashboard"));

describe("dashboard attacks", () => {
  it("login CSRF: a login form posted without its token, or with a wrong key, starts no session", async () => {
    const attacker = new Jar();
    const noToken = await attacker.fetch("/ui/login", { method: "POST", body: new URLSearchParams({ apiKey: bed.key }) });
    expect(noToken.status).toBe(403);
    expect(sessionCookie(attacker)).toBeUndefined();

    const form = await (await attacker.fetch("/ui/login")).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const wrong = await attacker.fetch("/ui/login", { method: "POST", body: new URLSearchParams({ _csrf: csrf, apiKey: "bfk_not-a-key" }) });
    expect(wrong.status).toBe(401);
    expect(sessionCookie(attacker)).toBeUndefined();
    expect((await attacker.fetch("/ui")).headers.get("location")).toBe("/ui/login");
  });

  it("a request riding the session cookie without the session's CSRF token changes nothing", async () => {
    const operator = new Jar();
    const csrf = await operator.signIn(bed.key);
    const victim = await createApiKey(bed.sh.host.store, "victim");

    // The cookie alone: reads work, changes are refused.
    expect((await operator.fetch("/api/connections")).status).toBe(200);
    const revoke = await operator.fetch(`/api/keys/${victim.id}`, { method: "DELETE" });
    expect(revoke.status).toBe(401);
    const sync = await operator.fetch(`/api/connections/${bed.connectionId}/sync`, { method: "POST" });
    expect(sync.status).toBe(401);
    const wrongToken = await operator.fetch(`/api/keys/${victim.id}`, { method: "DELETE", headers: { "x-csrf-token": "guessed" } });
    expect(wrongToken.status).toBe(401);
    const logout = await operator.fetch("/ui/logout", { method: "POST" });
    expect(logout.status).toBe(403);
    expect((await bed.sh.host.store.apiKeys.list()).find((k) => k.id === victim.id)?.revoked_at).toBeNull();

    // With the token, the same request works.
    const ok = await operator.fetch(`/api/keys/${victim.id}`, { method: "DELETE", headers: { "x-csrf-token": csrf } });
    expect(ok.status).toBe(200);
  });

  it("a session ends as soon as its API key is revoked", async () => {
    const { key, id } = await createApiKey(bed.sh.host.store, "short-lived");
    const operator = new Jar();
    await operator.signIn(key);
    expect((await operator.fetch("/api/connections")).status).toBe(200);
    await bed.sh.host.store.apiKeys.revoke(id);
    expect((await operator.fetch("/api/connections")).status).toBe(401);
    expect((await operator.fetch("/ui")).headers.get("location")).toBe("/ui/login");
  });

  it("a form posted to /oauth/start from another origin is refused before anything is written", async () => {
    const before = await bed.sh.host.store.db
      .selectFrom("pending_authorizations")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const res = await fetch(`${bed.server.url}/oauth/start`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ connector: "demo" }),
      redirect: "manual",
    });
    expect(res.status).toBe(403);
    const after = await bed.sh.host.store.db
      .selectFrom("pending_authorizations")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
