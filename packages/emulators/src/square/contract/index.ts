// `@backfill-io/emulators/square-contract`: Square's SDK schemas as a contract for the emulator.
// Importing it needs the `square` package (a devDependency here): tests only.
export { checkExchange, checkExchanges, checkRecordedDir, checkWebhookEvent, contractFor, STRICT_PARSE, type ContractReport } from "./check.js";
export { ROUTE_CONTRACTS, WEBHOOK_EVENT_CONTRACTS, type RouteContract } from "./schemas.js";
export { RECORD_DIR_ENV, type RecordedExchange } from "../recorder.js";
