import { Runtime } from '@temporalio/worker';
import { configureLogging } from '../../workers/logging';
import { runtimeOptions } from '../../workers/telemetry';

// The SDK's logs go through Homeostat's logger as in production (workers/telemetry.ts), but tests want
// warnings and errors only, as readable lines. A test capturing logs reconfigures the logger
// (configureLogging): the Runtime's adapter looks it up at every call.
configureLogging({ level: 'warn', format: 'pretty' });
try {
  Runtime.install(runtimeOptions({}, { forwardCoreLogs: false }));
} catch {
  // Already installed in this process by an earlier test file: keep it.
}
