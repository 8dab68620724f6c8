import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../model/config';
import { startStack } from './embeddedStack';

/** `npm start`: the embedded stack in the foreground until Ctrl-C or SIGTERM. */
async function main(): Promise<number> {
  const log = (msg: string): void => console.log(`[homeostat] ${msg}`);
  const cfg = loadConfig();
  // The SDK logs every bundle step at INFO; an operator watching the terminal wants warnings only.
  Runtime.install({
    logger: new DefaultLogger((process.env.HOMEOSTAT_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'),
  });
  const stack = await startStack(cfg, log);
  log(
    `ready. Temporal UI: ${stack.uiUrl ?? '(headless)'} — gRPC ${stack.address}, namespace ${stack.namespace}`,
  );
  log('press Ctrl-C to stop');

  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
  });
  const outcome = await Promise.race([
    signalled.then((sig) => ({ kind: 'signal' as const, sig })),
    stack.workerDone.then(
      () => ({ kind: 'worker-stopped' as const }),
      (err: unknown) => ({ kind: 'worker-failed' as const, err }),
    ),
  ]);
  if (outcome.kind === 'signal') log(`${outcome.sig}: stopping the worker, then the server…`);
  else if (outcome.kind === 'worker-failed')
    console.error(`[homeostat] the worker failed: ${String(outcome.err)}`);
  await stack.stop();
  log('stopped');
  return outcome.kind === 'worker-failed' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    console.error(`[homeostat] cannot start: ${msg}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
