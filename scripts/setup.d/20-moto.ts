import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Set-up step: moto (a real AWS API implementation) in server mode, for the AWS provider's tests.
 * Installed into a project-local virtualenv so it never touches the system Python, pinned so every
 * machine tests against the same AWS behaviour. Idempotent: a venv that already has the pinned version
 * is left alone.
 */

/** Pinned moto release (PyPI). Bump deliberately: moto's ECS/ELBv2 behaviour changes between versions. */
export const MOTO_VERSION = '5.2.5';

export const MOTO_VENV = join(__dirname, '..', '..', '.tools', 'venv');
export const MOTO_SERVER_BIN = join(MOTO_VENV, 'bin', 'moto_server');
const VENV_PYTHON = join(MOTO_VENV, 'bin', 'python');

/** The moto version installed in the venv, or undefined when there is none. */
function installedMotoVersion(): string | undefined {
  if (!existsSync(VENV_PYTHON) || !existsSync(MOTO_SERVER_BIN)) return undefined;
  const probe = spawnSync(VENV_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function findPython3(): string {
  const probe = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'moto needs python3 (3.9 or newer) with the venv module for the AWS provider tests; install it ' +
        '(Debian/Ubuntu: apt-get install python3 python3-venv) and run `npm run setup` again',
    );
  }
  return 'python3';
}

export default async function setupMoto(): Promise<void> {
  const started = Date.now();
  const found = installedMotoVersion();
  if (found === MOTO_VERSION) {
    console.error(`[homeostat] moto: ${MOTO_VERSION} in .tools/venv (${Date.now() - started} ms)`);
    return;
  }
  const python = findPython3();
  // --clear starts over when a venv with another version (or a broken one) is in the way.
  execFileSync(python, ['-m', 'venv', '--clear', MOTO_VENV], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    execFileSync(
      VENV_PYTHON,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } catch (err) {
    throw new Error(
      `pip could not install moto[server]==${MOTO_VERSION} into .tools/venv (${(err as Error).message}); ` +
        'check network access to PyPI (or PIP_INDEX_URL) and run `npm run setup` again',
      { cause: err },
    );
  }
  if (installedMotoVersion() !== MOTO_VERSION) {
    throw new Error(`moto ${MOTO_VERSION} is not importable from .tools/venv after installing it`);
  }
  const how = found ? `replaced ${found} with` : 'installed';
  console.error(
    `[homeostat] moto: ${how} ${MOTO_VERSION} in .tools/venv (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}
