// For each runtime call: the errors it throws and what connectorTestRuntime does, the part
// of the SDK reference that signatures and doc comments cannot carry.
export type CallNote = { errors: string; testRuntime: string };

export const SDK_CALL_NOTES: Record<string, CallNote> = {
  "OAuth.accessToken": {
    errors:
      '`ReauthRequiredError` (`code: "reauth_required"`, `reason`: missing_token, missing_scopes with `missingScopes`, refresh_failed, expired, revoked). Use `isReauthRequired(e)` and `missingProviderAccessResponse(e)` (oauth-helpers: default `minTtlSeconds` 600).',
    testRuntime:
      "Answers `oauth.accessToken`; `accessToken: null` → missing_token; `scopes` lacking `requiredScopes` → missing_scopes; `expiresAt` within minTtlSeconds → one refresh (`refresh: { accessToken }` succeeds, `refresh: { error }` → refresh_failed; `runtime.refreshCount`).",
  },
  "Http.get": {
    errors:
      "`PermissionDeniedError` (`permission_denied`) for a URL outside permissions.http, or `auth.oauth` to a host the token may not go to (rule oauth_token_host); `BackfillError` http_error / timeout for transport failures. A 4xx/5xx answer is not an error: check `response.ok` / `status`.",
    testRuntime:
      "Served by `runtime.http` (getOnce/postOnce/once/on); an unexpected request fails the test naming it; `runtime.http.calls` records method, URL and headers (with the injected Authorization).",
  },
  "Http.delete": { errors: "As Http.get.", testRuntime: "As Http.get." },
  "Http.post": { errors: "As Http.get; an object body is sent as JSON, a string as text/plain unless you set content-type.", testRuntime: "As Http.get." },
  "Http.put": { errors: "As Http.post.", testRuntime: "As Http.get." },
  "Http.patch": { errors: "As Http.post.", testRuntime: "As Http.get." },
  "Settings.get": {
    errors: "`PermissionDeniedError` (rule x-secret) for an x-secret setting: read those with Secrets.get.",
    testRuntime: "Answers the `settings` option, validated and defaulted against the manifest like the host.",
  },
  "Secrets.get": { errors: "`PermissionDeniedError` for a name not readable in permissions.secrets.", testRuntime: "Answers the `secrets` option; undefined when unset." },
  "ingest.batch": {
    errors: '`BackfillError` invalid_request for an entity not granted "write"; invalid items throw unless `continueOnError` (then counted as rejected with their errors).',
    testRuntime: "Records each batch in `runtime.batches` (accepted, rejected, valid items); committed only when the route answers 2xx, like the host.",
  },
  "Checkpoint.get": {
    errors:
      "None without a schema. With `Checkpoint.get(stream, schema)` (a zod schema; `z` is exported by the SDK) a stored state the schema refuses throws `BackfillError` `checkpoint_invalid` (`CHECKPOINT_INVALID`; `details.issues` by path, never values): the route answers 500 and nothing is committed. The check runs in the SDK's shared policy (`parseCheckpoint`), so the host and the test runtime refuse alike.",
    testRuntime: "The `checkpoints` option, then whatever an earlier 2xx call committed; parsed by the schema like the host.",
  },
  "Checkpoint.set": { errors: "None; `hasMore` is required.", testRuntime: "Staged, committed with the page on a 2xx; the next `runtime.call` reads it." },
  "Records.redact": { errors: "None from the SDK; the host tombstones the matching records when the page commits.", testRuntime: "Recorded in `runtime.redactions`." },
  "Records.delete": {
    errors:
      "`BackfillError` invalid_request for deletions that fail validateDeletions (no id or key, bad time); host_capability_missing (`HOST_CAPABILITY_MISSING`) for a host without deletion support.",
    testRuntime: "Staged; on a 2xx recorded in `runtime.deletions` with the decision the host would take.",
  },
  "Connection.info": {
    errors: "`BackfillError` host_capability_missing (`HOST_CAPABILITY_MISSING`) when the host binding provides no connection info.",
    testRuntime: "From the `connection` option (`id`, `providerAccountId`, `providerAccountName`) and `connector` (`key`, `provider`).",
  },
  "Connection.markRevoked": { errors: "None.", testRuntime: "Recorded in `runtime.statusChanges`; the host stops syncs with reauth_required." },
  "Webhooks.alreadyProcessed": {
    errors: "`BackfillError` invalid_request for an empty or malformed delivery id.",
    testRuntime: "True for ids in `processedDeliveries` or committed by an earlier 2xx call.",
  },
  "Webhooks.markProcessed": { errors: "As alreadyProcessed.", testRuntime: "Committed with the route's writes on a 2xx." },
  "log.debug": {
    errors: "None; messages and fields pass the redactor (registered secrets, token shapes, sensitive keys).",
    testRuntime: "Kept in `runtime.logs` (redacted); `backfill validate` fails a connector whose route logs carried a secret.",
  },
  "log.info": { errors: "As log.debug.", testRuntime: "As log.debug." },
  "log.warn": { errors: "As log.debug.", testRuntime: "As log.debug." },
  "log.error": { errors: "As log.debug.", testRuntime: "As log.debug." },
};
