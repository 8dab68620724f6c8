import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { HomeostatConfig } from '../core/model/config';

type TlsSettings = ConnectionOptions['tls'];

/** TLS for an external server: mTLS files, a custom CA, or plain TLS (implied by an API key, as on Temporal Cloud). */
function tlsFromConfig(cfg: HomeostatConfig['temporal']): TlsSettings {
  const { tls } = cfg;
  const wanted = tls.enabled ?? Boolean(cfg.apiKey || tls.clientCertPath || tls.serverCaCertPath);
  if (!wanted) return undefined;
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.serverCaCertPath ? readFileSync(tls.serverCaCertPath) : undefined,
    clientCertPair:
      tls.clientCertPath && tls.clientKeyPath
        ? { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) }
        : undefined,
  };
}

/**
 * Options shared by the client and the worker's native connection (workers/connection.ts), so both
 * reach the same server the same way. `address` overrides the config's.
 */
export function connectionOptions(cfg: HomeostatConfig, address: string) {
  return { address, tls: tlsFromConfig(cfg.temporal), apiKey: cfg.temporal.apiKey };
}

export async function connectClient(cfg: HomeostatConfig, address: string): Promise<Connection> {
  return await Connection.connect(connectionOptions(cfg, address) satisfies ConnectionOptions);
}
