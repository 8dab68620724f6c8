import { createServer, type Server } from 'node:net';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** Resolves if `port` can be bound on `host`; rejects with a PortInUseError naming the setting to change. */
export async function assertPortFree(host: string, port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              `port ${port} on ${host} is already in use (${setting}). Stop what holds it ` +
                `(\`ss -ltnp 'sport = :${port}'\` shows it) or set ${setting} to a free port.`,
            )
          : err,
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port the OS reports free right now (for tests; there is a small race until it is bound). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const addr = probe.address();
      probe.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * `count` distinct ports the OS reports free right now: every probe stays bound until all are chosen,
 * so two calls in a row can never hand out the same port (for tests; the same small race until bound).
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const probes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const probe = createServer();
          probe.once('error', reject);
          probe.listen({ host, port: 0 }, () => resolve(probe));
        }),
    ),
  );
  const ports = probes.map((p) => {
    const addr = p.address();
    if (typeof addr !== 'object' || !addr) throw new Error('no port');
    return addr.port;
  });
  await Promise.all(probes.map((p) => new Promise((r) => p.close(r))));
  return ports;
}
