import { ensureAptPackage } from '../aptPackage';

/**
 * Set-up step: Prometheus Alertmanager (Debian's package), so the webhook tests run against the real
 * sender instead of a hand-written imitation of its payload. Idempotent: an installed binary is left alone.
 * The tests start their own Alertmanager on free loopback ports; the system service the package may
 * start is stopped and disabled so nothing listens on 9093 behind our back.
 */

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export default async function setupAlertmanager(): Promise<void> {
  ensureAptPackage({ label: 'alertmanager', pkg: 'prometheus-alertmanager', bin: ALERTMANAGER_BIN });
}
