import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Set-up step: Prometheus (Debian's package), so the Prometheus signal provider is tested against the
 * real query engine scraping the real local fleet. Idempotent: an installed binary is left alone.
 * `--no-install-recommends` skips the node exporter. The tests start their own Prometheus (temp-dir
 * storage, a free loopback port); the system service the package may start is stopped and disabled so
 * nothing scrapes or listens on 9090 behind our back.
 */

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
const PACKAGE = 'prometheus';
const FIX = `install it by hand (as root: apt-get update && apt-get install -y --no-install-recommends ${PACKAGE}) and run \`npm run setup -- --tests\` again`;

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
  const probe = run(PROMETHEUS_BIN, ['--version']);
  return /version (\S+)/.exec(probe.output)?.[1] ?? 'unknown version';
}

export default async function setupPrometheus(): Promise<void> {
  const started = Date.now();
  if (existsSync(PROMETHEUS_BIN)) {
    console.error(`[homeostat] prometheus: ${version()} at ${PROMETHEUS_BIN} (${Date.now() - started} ms)`);
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${PROMETHEUS_BIN} is missing and setup is not running as root; ${FIX}`);
  }
  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(`${PROMETHEUS_BIN} is missing and there is no apt-get on this machine; ${FIX}`);
  }
  // A fresh machine may have no package lists yet; `update` first, as the Alertmanager step does.
  const update = run('apt-get', ['update']);
  if (!update.ok) throw new Error(`apt-get update failed:\n${lastLines(update.output)}\n${FIX}`);
  const install = run('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE]);
  if (!install.ok)
    throw new Error(`apt-get install ${PACKAGE} failed:\n${lastLines(install.output)}\n${FIX}`);
  stopSystemService();
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(`apt-get installed ${PACKAGE} but ${PROMETHEUS_BIN} is not there; ${FIX}`);
  }
  console.error(
    `[homeostat] prometheus: installed ${version()} with apt-get (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}
