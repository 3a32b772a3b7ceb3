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
      // The root's `base` bindings are serialized once, outside log().
      bindings: (bindings) => redactor.redact(bindings),
    },
    serializers: {
      err: (error: unknown) => {
        const safe = redactor.redact(error) as Error & { code?: unknown };
        return safe instanceof Error ? { type: safe.name, message: safe.message, stack: safe.stack, code: safe.code } : safe;
      },
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  redactChildBindings(logger as unknown as ChildFactory, redactor);
  return logger;
}

/** The part of a pino logger that makes children (typed loosely: pino's generics do not compose here). */
type ChildFactory = { child: (this: ChildFactory, bindings: Record<string, unknown>, options?: unknown) => ChildFactory };

/**
 * pino serializes child bindings once at child() and skips `formatters.bindings` for
 * children, so redact them on the way in. Children are created with Object.create(parent),
 * so they inherit this child() too, and `this` is whichever logger makes the child.
 */
function redactChildBindings(logger: ChildFactory, redactor: Redactor): void {
  const pinoChild = logger.child;
  logger.child = function (this: ChildFactory, bindings, options) {
    return pinoChild.call(this, redactor.redact(bindings), options);
  };
}
