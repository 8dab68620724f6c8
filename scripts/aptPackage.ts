import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Shared body of the set-up steps that install a Debian package (scripts/setup.d/30-alertmanager.ts,
 * 35-prometheus.ts). Kept outside setup.d/ so the step loader in scripts/setup.ts never runs it as a step.
 */

export interface AptPackage {
  /** Short name printed in the set-up line, e.g. `prometheus`. */
  label: string;
  /** Debian package name, e.g. `prometheus-alertmanager`; also the name of the systemd unit it ships. */
  pkg: string;
  /** The binary the package installs; its presence means "installed". */
  bin: string;
}

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

/** Both Prometheus tools print `<name>, version X.Y.Z (branch: ...)` for `--version`. */
function version(bin: string): string {
  const probe = run(bin, ['--version']);
  return /version (\S+)/.exec(probe.output)?.[1] ?? 'unknown version';
}

/**
 * Idempotent: leaves an installed `bin` alone and prints its version; otherwise (as root, with apt-get)
 * installs `pkg` without recommends, then stops and disables the system service the package's postinst
 * may have started, because tests start their own instance on free loopback ports and nothing should
 * listen on the package's default port behind their back. Throws with the manual fix on failure.
 */
export function ensureAptPackage({ label, pkg, bin }: AptPackage): void {
  const started = Date.now();
  const fix = `install it by hand (as root: apt-get update && apt-get install -y --no-install-recommends ${pkg}) and run \`npm run setup -- --tests\` again`;
  if (existsSync(bin)) {
    console.error(`[homeostat] ${label}: ${version(bin)} at ${bin} (${Date.now() - started} ms)`);
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${bin} is missing and setup is not running as root; ${fix}`);
  }
  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(`${bin} is missing and there is no apt-get on this machine; ${fix}`);
  }
  // A fresh machine may have no package lists yet.
  const update = run('apt-get', ['update']);
  if (!update.ok) throw new Error(`apt-get update failed:\n${lastLines(update.output)}\n${fix}`);
  const install = run('apt-get', ['install', '-y', '--no-install-recommends', pkg]);
  if (!install.ok) throw new Error(`apt-get install ${pkg} failed:\n${lastLines(install.output)}\n${fix}`);
  // Without systemd running, the postinst started nothing.
  if (existsSync('/run/systemd/system')) run('systemctl', ['disable', '--now', pkg]);
  if (!existsSync(bin)) {
    throw new Error(`apt-get installed ${pkg} but ${bin} is not there; ${fix}`);
  }
  console.error(
    `[homeostat] ${label}: installed ${version(bin)} with apt-get (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}
