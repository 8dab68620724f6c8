import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../workers/ports';
import { ALERTMANAGER_BIN } from '../../scripts/setup.d/30-alertmanager';

const SETPRIV = '/usr/bin/setpriv';

export interface RunningAlertmanager {
  url: string;
  /** SIGTERM, then SIGKILL after 5 s; removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A real Alertmanager on free loopback ports, clustering off, state in a temp dir, with one webhook
 * receiver pointing at `webhookUrl` (bearer auth) and short group timings so a test sees notifications
 * within seconds. Spawned under setpriv's parent-death signal: it cannot outlive the test process.
 */
export async function startAlertmanager(webhookUrl: string, token: string): Promise<RunningAlertmanager> {
  if (!existsSync(ALERTMANAGER_BIN))
    throw new Error(
      `${ALERTMANAGER_BIN} is missing: run \`npm run setup\` (scripts/setup.d/30-alertmanager.ts)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-alertmanager-'));
  const config = [
    'route:',
    '  receiver: homeostat',
    "  group_by: ['alertname', 'service']",
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: homeostat',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(webhookUrl)}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Bearer',
    `            credentials: ${JSON.stringify(token)}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const args = [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
  const [cmd, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', ALERTMANAGER_BIN, ...args]]
    : [ALERTMANAGER_BIN, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`alertmanager exited (${child.exitCode}) while starting:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready on ${url}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
