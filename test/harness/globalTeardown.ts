import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__homeostatTestServer;
  if (!state) return;
  await state.server.stop();
  if (!process.env.HOMEOSTAT_KEEP_TEST_DIR) rmSync(state.dir, { recursive: true, force: true });
}
