// postConnect: proves the new token against Acme's API and names the account.
import { OAuth, api, Http, Settings } from "@backfill-io/sdk";

export const config = { auth: "api_key" };

export const POST = api(async () => {
  const response = Http.get(`https://${String(Settings.get("tenant"))}/v1/me`, {
    headers: { Authorization: `Bearer ${OAuth.accessToken({ minTtlSeconds: 60 })}` },
  });
  if (!response.ok) return api.badRequest("Acme rejected the OAuth token", { status: response.status });
  const me = response.body as { account: { id: string; name: string } };
  return api.json({ ok: true, providerAccountId: me.account.id, providerAccountName: me.account.name });
});
