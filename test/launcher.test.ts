import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, freePorts } from '../workers/ports';
import { PROJECT_ROOT } from '../workers/temporalCli';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/searchAttributes';

/** The real `npm start` entry point as a child process, with its own ports and state folder. */
function launch(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/stack.ts'], {
    cwd: PROJECT_ROOT,
    // The stack without the demo, on free ports for its fleet and webhook so tests can run side by side.
    env: {
      ...process.env,
      HOMEOSTAT_DEMO: 'false',
      HOMEOSTAT_FLEET_CONTROL_PORT: '0',
      HOMEOSTAT_FLEET_LOAD_RPS: '5',
      HOMEOSTAT_WEBHOOK_PORT: '0',
      ...env,
    },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

const exitOf = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Direct children of `pid`, read from /proc (the launcher's dev server among them). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Every process below `pid`: the dev server, the fleet's control process and its replicas. */
function descendantsOf(pid: number): number[] {
  const direct = childrenOf(pid);
  return [...direct, ...direct.flatMap(descendantsOf)];
}

/** A process that still runs (a zombie awaiting its reaper counts as gone), described by its command line. */
function aliveCommand(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
  } catch {
    return undefined;
  }
}

describe('the stack launcher (npm start)', () => {
  const dirs: string[] = [];
  const stateDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'homeostat-stack-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('serves the UI, registers the search attributes, and leaves nothing behind on SIGTERM', async () => {
    const [port, uiPort] = await freePorts(2);
    const { child, output } = launch({
      HOMEOSTAT_STATE_DIR: stateDir(),
      HOMEOSTAT_TEMPORAL_PORT: String(port),
      HOMEOSTAT_UI_PORT: String(uiPort),
    });
    try {
      await waitFor(() => output().includes('ready.') || child.exitCode !== null, 'the launcher to be ready');
      expect(output()).toContain(`Temporal UI: http://127.0.0.1:${uiPort}`);

      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);

      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      await connection.close();
      for (const key of ALL_SEARCH_ATTRIBUTES)
        expect(Object.keys(attrs.customAttributes ?? {})).toContain(key.name);

      const descendants = descendantsOf(child.pid!);
      expect(descendants.length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(output()).toContain('stopped');
      // Helpers (the server, tsx's esbuild service) may take a moment after the launcher's exit to finish.
      const survivors = (): string[] => descendants.map(aliveCommand).filter((c): c is string => Boolean(c));
      await waitFor(() => survivors().length === 0, 'children to exit', 10_000).catch(() => undefined);
      expect(survivors()).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves no process behind when the launcher itself is SIGKILLed', async () => {
    // No handler runs on SIGKILL: only the children's parent-death signal (setpriv --pdeathsig, and the
    // fleet's replicas watching their control process) can stop them. The README promises this.
    const [port, uiPort] = await freePorts(2);
    const { child, output } = launch({
      HOMEOSTAT_STATE_DIR: stateDir(),
      HOMEOSTAT_TEMPORAL_PORT: String(port),
      HOMEOSTAT_UI_PORT: String(uiPort),
    });
    try {
      await waitFor(() => output().includes('ready.') || child.exitCode !== null, 'the launcher to be ready');
      expect(output()).toContain('ready.');
      const descendants = descendantsOf(child.pid!);
      // The dev server, the fleet's control process and its replicas at least.
      expect(descendants.length).toBeGreaterThan(3);
      child.kill('SIGKILL');
      await exitOf(child);
      const survivors = (): string[] => descendants.map(aliveCommand).filter((c): c is string => Boolean(c));
      // The dev server shuts down on its SIGTERM, which takes a moment; a survivor is named below.
      await waitFor(() => survivors().length === 0, 'orphans to exit', 30_000).catch(() => undefined);
      expect(survivors()).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a port already in use, naming the setting to change', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const { child, output } = launch({
        HOMEOSTAT_STATE_DIR: stateDir(),
        HOMEOSTAT_TEMPORAL_PORT: String(port),
        HOMEOSTAT_UI_PORT: String(await freePort()),
      });
      expect(await exitOf(child)).toBe(1);
      expect(output()).toMatch(new RegExp(`port ${port} .*already in use.*HOMEOSTAT_TEMPORAL_PORT`));
    } finally {
      blocker.close();
    }
  });

  it('exits 2 on bad configuration, naming the key', async () => {
    const { child, output } = launch({ HOMEOSTAT_STATE_DIR: stateDir(), HOMEOSTAT_UI_PORT: 'eighty' });
    expect(await exitOf(child)).toBe(2);
    expect(output()).toMatch(/HOMEOSTAT_UI_PORT/);
  });
});
