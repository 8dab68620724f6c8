import { pino, type DestinationStream, type Level, type Logger as PinoLogger } from 'pino';
import type { Logger as SdkLogger, LogLevel as SdkLogLevel, LogMetadata } from '@temporalio/common';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type { LogFormat, LogLevelName } from '../core/model/telemetryConfig';

/**
 * Homeostat's operational logs: pino, one JSON object a line on stderr (stdout is left to what people
 * read: the demo's narrative, the CLI's answers), or one readable line each for a terminal. The Temporal
 * SDK's own logs, workflow `log` and activity `log` go through the same logger (SdkLogAdapter), so every
 * line an activity writes names its workflow, run, activity type and, for an incident, the incident.
 */

export interface LoggingOptions {
  level: LogLevelName;
  format: LogFormat;
  /** Where lines go; stderr unless a test captures them. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggingOptions): PinoLogger {
  const out = opts.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: opts.level,
      base: { service: 'homeostat' },
      // `level: "info"` rather than 30: what people grep for and collectors map without a table.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.format === 'pretty' ? prettyDestination(out) : out,
  );
}

/** The process's logger, swapped by configureLogging (tests point it at a buffer). */
let root: PinoLogger = createLogger({ level: 'info', format: 'json' });

export function rootLogger(): PinoLogger {
  return root;
}

export function configureLogging(opts: LoggingOptions): PinoLogger {
  root = createLogger(opts);
  return root;
}

/** A logger for one part of Homeostat (`component` on each line). */
export function componentLogger(component: string): PinoLogger {
  return root.child({ component });
}

const SDK_LEVELS: Record<SdkLogLevel, Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Meta keys the SDK adds that must not reach a log: an activity's task token completes it from outside. */
const DROPPED_META = new Set(['taskToken']);

/**
 * The SDK's Logger interface over the root logger (looked up at each call, so configureLogging after
 * Runtime.install still takes effect). The SDK's meta becomes fields; an incident workflow's id is also
 * written as `incidentId` (the id `homeostat show` and the operator API take), on its workflow's lines
 * and on its activities' lines alike.
 */
export class SdkLogAdapter implements SdkLogger {
  constructor(private readonly target: () => PinoLogger = rootLogger) {}

  log(level: SdkLogLevel, message: string, meta?: LogMetadata): void {
    const logger = this.target();
    const pinoLevel = SDK_LEVELS[level] ?? 'info';
    if (!logger.isLevelEnabled(pinoLevel)) return;
    logger[pinoLevel](sdkFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's meta as log fields: string keys only (its timestamp symbol is dropped), secrets removed. */
export function sdkFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const [key, value] of Object.entries(meta)) {
    if (DROPPED_META.has(key) || value === undefined) continue;
    // bigint does not survive JSON.stringify; an Error keeps its stack under `err` (pino's serializer).
    fields[key === 'error' && value instanceof Error ? 'err' : key] =
      typeof value === 'bigint' ? value.toString() : value;
  }
  if (fields.workflowType === INCIDENT_WORKFLOW_TYPE && typeof fields.workflowId === 'string')
    fields.incidentId = fields.workflowId;
  return fields;
}

const PRETTY_SKIP = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** One JSON line → `12:00:01.234 INFO  [component] message key=value …`, without a pretty-printer dependency. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : '';
  const level = String(rec.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const who = rec.component ?? rec.sdkComponent;
  const rest = Object.entries(rec)
    .filter(([k]) => !PRETTY_SKIP.has(k) && k !== 'component' && k !== 'sdkComponent')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${[time, level, who ? `[${String(who)}]` : '', String(rec.msg ?? ''), ...rest].filter(Boolean).join(' ')}\n`;
}

function prettyDestination(out: DestinationStream): DestinationStream {
  return { write: (line: string) => out.write(prettyLine(line.trimEnd())) };
}
