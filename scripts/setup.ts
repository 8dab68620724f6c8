import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeCli, resolveTemporalCli, TemporalCliError } from '../workers/temporalCli';

/**
 * Idempotent set-up run by `npm start` and `npm test`: finds or builds the Temporal CLI once. With
 * `--tests` it also runs each step in scripts/setup.d/ (the servers only tests use: one file per tool,
 * whose default export checks first and installs if missing).
 */
async function main(): Promise<void> {
  const started = Date.now();
  const cli = resolveTemporalCli();
  console.error(`[homeostat] Temporal CLI: ${describeCli(cli)} (${Date.now() - started} ms)`);

  if (!process.argv.includes('--tests')) return;
  const dir = join(__dirname, 'setup.d');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const step = (await import(join(dir, file))) as { default: () => Promise<void> };
    await step.default();
  }
}

main().catch((err: unknown) => {
  console.error(`[homeostat] setup failed: ${(err as Error).message}`);
  process.exit(err instanceof TemporalCliError ? 2 : 1);
});
