// @backfill-io/sdk/testing: run connector routes in tests, no live provider needed.
export {
  connectorTestRuntime,
  ConnectorTestRuntime,
  type ConnectorTestRuntimeOptions,
  type TestOAuthState,
  type LoggedLine,
  type IngestBatch,
  type StoredRecord,
} from "./runtime.js";
export { HttpMock, type MockResponse, type MockHandler, type RecordedCall, type UrlPattern } from "./http-mock.js";
export { RuntimeLeakCheck } from "./leak-check.js";
export { TestFiles } from "./files.js";
export { TEST_LOG_FINDINGS_ENV, type LogFinding } from "./log-findings.js";
export { CanaryGuard, fixtureReader, responseJson, type FixtureReader } from "./connector-helpers.js";
