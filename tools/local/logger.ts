/**
 * The small logging port the local stand-ins write to. The stand-ins never print on their own: the caller
 * (`npm start`, the test setup) decides where messages go.
 */
export type LogDetails = Record<string, unknown>;

export interface Logger {
  info(message: string, details?: LogDetails): void;
  warn(message: string, details?: LogDetails): void;
  error(message: string, details?: LogDetails): void;
}

function format(prefix: string, message: string, details?: LogDetails): string {
  if (details === undefined || Object.keys(details).length === 0) return `[${prefix}] ${message}`;
  return `[${prefix}] ${message} ${JSON.stringify(details, errorReplacer)}`;
}

/** JSON.stringify drops Error fields (they are not enumerable): keep name, message and stack. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger writing one line per message to the console, prefixed with a component name. */
export function consoleLogger(prefix: string): Logger {
  return {
    info: (message, details) => console.info(format(prefix, message, details)),
    warn: (message, details) => console.warn(format(prefix, message, details)),
    error: (message, details) => console.error(format(prefix, message, details)),
  };
}

/** A logger that drops info/warn but still reports errors on stderr (errors are never silenced). */
export const quietLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: (message, details) => console.error(format('local', message, details)),
};
