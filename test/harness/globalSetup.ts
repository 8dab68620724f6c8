import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../workers/devServer';
import { freePort } from '../../workers/ports';
import { ensureSearchAttributes } from '../../workers/searchAttributes';
import { resolveTemporalCli } from '../../workers/temporalCli';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { TEST_ENV } from './env';

/**
 * Starts one headless dev server on a free port with a temporary SQLite file, registers the search
 * attributes, and bundles the workflows once; test files find both through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-test-'));
  const cli = resolveTemporalCli();
  const server = await startDevServer({
    cli,
    ip: '127.0.0.1',
    port: await freePort(),
    dbFile: join(dir, 'temporal.db'),
    logFile: join(dir, 'temporal.log'),
    namespace: 'default',
  });
  globalThis.__homeostatTestServer = { server, dir };

  const connection = await Connection.connect({ address: server.address });
  try {
    await ensureSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }

  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env[TEST_ENV.address] = server.address;
  process.env[TEST_ENV.bundle] = bundlePath;
  process.env[TEST_ENV.dir] = dir;
}

const noop = (): void => undefined;
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.warn,
  error: console.error,
  log: noop,
};
