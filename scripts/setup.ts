import { describeCli, resolveTemporalCli, TemporalCliError } from '../src/workers/temporalCli';

/** Idempotent set-up run by `npm start` and `npm test`: finds or builds the Temporal CLI once. */
try {
  const started = Date.now();
  const cli = resolveTemporalCli();
  console.error(`[homeostat] Temporal CLI: ${describeCli(cli)} (${Date.now() - started} ms)`);
} catch (err) {
  console.error(`[homeostat] setup failed: ${(err as Error).message}`);
  process.exit(err instanceof TemporalCliError ? 2 : 1);
}
