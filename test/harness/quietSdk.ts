import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes and bundle steps are logged at INFO; tests want warnings and errors only.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file: keep it.
}
