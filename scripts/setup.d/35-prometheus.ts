import { ensureAptPackage } from '../aptPackage';

/**
 * Set-up step: Prometheus (Debian's package), so the Prometheus signal provider is tested against the
 * real query engine scraping the real local fleet. Idempotent: an installed binary is left alone.
 * `--no-install-recommends` skips the node exporter. The tests start their own Prometheus (temp-dir
 * storage, a free loopback port); the system service the package may start is stopped and disabled so
 * nothing scrapes or listens on 9090 behind our back.
 */

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export default async function setupPrometheus(): Promise<void> {
  ensureAptPackage({ label: 'prometheus', pkg: 'prometheus', bin: PROMETHEUS_BIN });
}
