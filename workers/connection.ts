import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { connectionOptions } from '../client/connection';
import type { HomeostatConfig } from '../core/model/config';

// The client half lives in client/connection.ts (the CLI, HTTP routes and benches use it too).

export async function connectWorker(cfg: HomeostatConfig, address: string): Promise<NativeConnection> {
  return await NativeConnection.connect(connectionOptions(cfg, address) satisfies NativeConnectionOptions);
}
