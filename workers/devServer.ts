import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { assertPortFree } from './ports';
import type { TemporalCli } from './temporalCli';

/**
 * Runs `temporal server start-dev` as a child process with a SQLite file, so every incident
 * survives a restart. We start it ourselves (not via TestWorkflowEnvironment.createLocal) because
 * the SDK gives the server ~5 s to come up, too little for a cold SQLite start on a busy 2-core box.
 */

export interface DevServerOptions {
  cli: TemporalCli;
  ip: string;
  port: number;
  /** Undefined runs the server headless. */
  uiPort?: number;
  dbFile: string;
  namespace: string;
  /** Where the server's own output goes; its tail is also kept for error messages. */
  logFile: string;
  startTimeoutMs?: number;
  /** Which settings choose the ports, named in the error when one is taken. */
  portSettings?: { port: string; uiPort: string };
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  pid?: number;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

export class DevServerStartError extends Error {
  override name = 'DevServerStartError';
}

export async function startDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const settings = opts.portSettings ?? { port: 'HOMEOSTAT_TEMPORAL_PORT', uiPort: 'HOMEOSTAT_UI_PORT' };
  await assertPortFree(opts.ip, opts.port, settings.port);
  if (opts.uiPort !== undefined) await assertPortFree(opts.ip, opts.uiPort, settings.uiPort);
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });

  if (opts.cli.kind === 'sdk-download') return await startViaSdkDownload(opts);

  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.ip,
    '--port',
    String(opts.port),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
  ];
  // With setpriv the server gets SIGTERM if we die without cleaning up (even on SIGKILL): no orphans.
  const [cmd, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', opts.cli.path, ...args]]
    : [opts.cli.path, args];
  const child = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const tail: string[] = [];
  const keepTail = (chunk: Buffer): void => {
    log.write(chunk);
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );

  const address = `${opts.ip}:${opts.port}`;
  try {
    await waitUntilServing(address, opts.namespace, exited, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    log.end();
    throw new DevServerStartError(
      `${(err as Error).message}\nlast lines of ${opts.logFile}:\n${tail.map((l) => `  ${l}`).join('\n')}`,
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    address,
    uiUrl: opts.uiPort === undefined ? undefined : `http://${opts.ip}:${opts.uiPort}`,
    pid: child.pid,
    stop: () => (stopping ??= stopChild(child, exited).finally(() => log.end())),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitUntilServing(
  address: string,
  namespace: string,
  exited: Promise<number | string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void exited.then((c) => (exitedWith = c));
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitedWith !== undefined)
      throw new Error(`the Temporal dev server exited (${exitedWith}) while starting`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `the Temporal dev server did not serve ${address} within ${timeoutMs / 1000} s (${lastError})`,
  );
}

/** Fallback with no local binary and no Go: the SDK downloads and runs the pinned CLI. */
async function startViaSdkDownload(opts: DevServerOptions): Promise<RunningDevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download', version: opts.cli.version },
      ip: opts.ip,
      port: opts.port,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFile,
      namespace: opts.namespace,
      extraArgs: ['--log-level', 'warn'],
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    address: env.address,
    uiUrl: opts.uiPort === undefined ? undefined : `http://${opts.ip}:${opts.uiPort}`,
    stop: () => (stopping ??= env.teardown()),
  };
}
