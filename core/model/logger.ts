/**
 * What triggers/ needs of a logger: the leveled calls. pino's loggers (workers/logging.ts) fit it, and so
 * does a plain line printer (lineLog), so code below workers/ logs without importing the worker's setup.
 */
export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Every level to one line printer (what a caller that passed a `(msg) => void` before gets). */
export function lineLog(print: (msg: string) => void): Log {
  return { info: print, warn: print, error: print };
}
