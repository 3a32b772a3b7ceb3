// A pino logger with redaction wired in: every line passes the shared redactor, which
// scrubs registered secrets, token-shaped strings and sensitive keys at any depth.
import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";
import { defaultRedactor, type Redactor } from "@backfill-io/sdk";

export type CreateLoggerOptions = LoggerOptions & { redactor?: Redactor; destination?: DestinationStream };

export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const { redactor = defaultRedactor(), destination, ...pinoOptions } = opts;
  const options: LoggerOptions = {
    level: process.env.BACKFILL_LOG_LEVEL ?? "info",
    ...pinoOptions,
    hooks: {
      // Redact the message and its arguments before pino formats them.
      logMethod(args, method) {
        return method.apply(this, redactor.redact<Parameters<typeof method>>(args));
      },
    },
    formatters: {
      log: (object) => redactor.redact(object),
    },
    serializers: {
      err: (error: unknown) => {
        const safe = redactor.redact(error) as Error & { code?: unknown };
        return safe instanceof Error ? { type: safe.name, message: safe.message, stack: safe.stack, code: safe.code } : safe;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
