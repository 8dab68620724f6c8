import { Runtime, makeTelemetryFilterString, type RuntimeOptions } from '@temporalio/worker';
import { resolveLogFormat, type TelemetryConfig } from '../core/model/telemetryConfig';
import { configureLogging, SdkLogAdapter } from './logging';
import { freePort } from './ports';

export interface InstalledTelemetry {
  /** Where the SDK's Prometheus exporter serves its worker metrics, when it serves them. */
  sdkMetricsUrl?: string;
}

/**
 * The Temporal Runtime's options for this configuration: its logs (the SDK's TypeScript side, and Core's
 * native side forwarded, at WARN and up for Core) go to Homeostat's logger, and when a bind address is
 * given Core serves the worker metrics there in Prometheus' text format.
 */
export function runtimeOptions(
  cfg: Pick<TelemetryConfig, 'metricsBindAddress'>,
  opts: { forwardCoreLogs?: boolean } = {},
): RuntimeOptions {
  const filter = makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' });
  return {
    logger: new SdkLogAdapter(),
    telemetryOptions: {
      // Forwarding holds a native callback that keeps the process alive until the Runtime shuts down: fine
      // for an entry point, not for a test file that never starts a worker (Core then prints to stderr).
      logging: opts.forwardCoreLogs === false ? { filter, console: {} } : { filter, forward: {} },
      ...(cfg.metricsBindAddress ? { metrics: { prometheus: { bindAddress: cfg.metricsBindAddress } } } : {}),
    },
  };
}

/**
 * Sets up the process's logging and installs the Temporal Runtime with it: the first thing an entry
 * point does, since the Runtime can be installed once per process and only before any worker or native
 * connection exists. `defaultMetricsPort` picks a free loopback port when none is configured (the
 * embedded stack does, so its webhook's /metrics always carries the SDK's series).
 */
export async function installTelemetry(
  cfg: TelemetryConfig,
  opts: { defaultMetricsOnLoopback?: boolean } = {},
): Promise<InstalledTelemetry> {
  configureLogging({ level: cfg.logLevel, format: resolveLogFormat(cfg, process.stderr.isTTY === true) });
  const metricsBindAddress =
    cfg.metricsBindAddress ??
    (opts.defaultMetricsOnLoopback ? `127.0.0.1:${await freePort('127.0.0.1')}` : undefined);
  try {
    Runtime.install(runtimeOptions(metricsBindAddress ? { metricsBindAddress } : {}));
  } catch (err) {
    // Core's own message ("Address already in use") does not say which setting to change.
    if (!cfg.metricsBindAddress || !/prometheus/i.test((err as Error).message)) throw err;
    throw new Error(
      `HOMEOSTAT_METRICS_BIND_ADDRESS=${cfg.metricsBindAddress}: ${(err as Error).message}; ` +
        'choose a free port or unset it',
      { cause: err },
    );
  }
  return metricsBindAddress ? { sdkMetricsUrl: metricsUrl(metricsBindAddress) } : {};
}

/** The scrape URL of a bind address (a wildcard host is scraped on loopback). */
export function metricsUrl(bindAddress: string): string {
  const at = bindAddress.lastIndexOf(':');
  const host = bindAddress.slice(0, at);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${bindAddress.slice(at + 1)}/metrics`;
}
