import type { RunningDevServer } from '../../workers/devServer';

declare global {
  // Shared between Jest's global setup and teardown, which run in the same process.
  var __homeostatTestServer: { server: RunningDevServer; dir: string } | undefined;
}
