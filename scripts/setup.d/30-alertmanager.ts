import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Set-up step: Prometheus Alertmanager (Debian's package), so the webhook tests run against the real
 * sender instead of a hand-written imitation of its payload. Idempotent: an installed binary is left alone.
 * The tests start their own Alertmanager on free loopback ports; the system service the package may
 * start is stopped and disabled so nothing listens on 9093 behind our back.
 */

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
const PACKAGE = 'prometheus-alertmanager';
const FIX = `install it by hand (as root: apt-get update && apt-get install -y --no-install-recommends ${PACKAGE}) and run \`npm run setup\` again`;

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: !result.error && result.status === 0, output: result.error?.message ?? output };
}

function lastLines(text: string, n = 5): string {
  return text.split('\n').slice(-n).join('\n');
}

/** The package's postinst may start (and enable) the service under systemd; tests never want it. */
function stopSystemService(): void {
  if (!existsSync('/run/systemd/system')) return; // no systemd running: nothing was started
  run('systemctl', ['disable', '--now', PACKAGE]);
}

function version(): string {
  const probe = run(ALERTMANAGER_BIN, ['--version']);
  return /version (\S+)/.exec(probe.output)?.[1] ?? 'unknown version';
}

export default async function setupAlertmanager(): Promise<void> {
  const started = Date.now();
  if (existsSync(ALERTMANAGER_BIN)) {
    console.error(
      `[homeostat] alertmanager: ${version()} at ${ALERTMANAGER_BIN} (${Date.now() - started} ms)`,
    );
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${ALERTMANAGER_BIN} is missing and setup is not running as root; ${FIX}`);
  }
  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(`${ALERTMANAGER_BIN} is missing and there is no apt-get on this machine; ${FIX}`);
  }
  const update = run('apt-get', ['update']);
  if (!update.ok) throw new Error(`apt-get update failed:\n${lastLines(update.output)}\n${FIX}`);
  const install = run('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE]);
  if (!install.ok)
    throw new Error(`apt-get install ${PACKAGE} failed:\n${lastLines(install.output)}\n${FIX}`);
  stopSystemService();
  if (!existsSync(ALERTMANAGER_BIN)) {
    throw new Error(`apt-get installed ${PACKAGE} but ${ALERTMANAGER_BIN} is not there; ${FIX}`);
  }
  console.error(
    `[homeostat] alertmanager: installed ${version()} with apt-get (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}
