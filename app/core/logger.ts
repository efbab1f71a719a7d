/** Structured logging port: JSON lines in production, a silent logger in tests. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Routine noise (a client that went away mid-request); written only when asked for. */
  debug?(message: string, fields?: LogFields): void;
}

// Values under these names never reach a log line, whatever the caller passes.
const SECRET_FIELD = /token|secret|password|authorization|cookie|signature|key$/i;

function redact(fields: LogFields): LogFields {
  const safe: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(name)) safe[name] = "[redacted]";
    else if (value instanceof Error) safe[name] = { name: value.name, message: value.message, stack: value.stack };
    else safe[name] = value;
  }
  return safe;
}

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line), options: { debug?: boolean } = {}): Logger {
  const emit = (level: string, message: string, fields: LogFields = {}) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...redact(fields) })}\n`);
  return {
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    debug: options.debug ? (message, fields) => emit("debug", message, fields) : () => undefined,
  };
}

/** HOLDFAST_LOG_LEVEL=debug turns debug lines on. */
export function loggerFromEnv(env: NodeJS.ProcessEnv = process.env): Logger {
  return jsonLogger(undefined, { debug: env.HOLDFAST_LOG_LEVEL?.trim().toLowerCase() === "debug" });
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
