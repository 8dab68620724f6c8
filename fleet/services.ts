/**
 * The demo's services: `web` calls `checkout`, `checkout` calls `payments`. Each caller's timeout is
 * longer than its dependency's proxy timeout, so an outage deep down surfaces upstream as 504s, not hangs.
 */
export interface ServiceSpec {
  name: string;
  dependencies: string[];
  /** How long the proxy in front of this service waits for a replica before answering 504. */
  proxyTimeoutMs: number;
  /** Whether this service consumes a job queue (queue depth, dead letters, replay). */
  hasQueue: boolean;
  initialRelease: string;
}

export const SERVICE_SPECS: readonly ServiceSpec[] = [
  { name: 'web', dependencies: ['checkout'], proxyTimeoutMs: 3_000, hasQueue: false, initialRelease: 'v1' },
  {
    name: 'checkout',
    dependencies: ['payments'],
    proxyTimeoutMs: 2_000,
    hasQueue: true,
    initialRelease: 'v1',
  },
  { name: 'payments', dependencies: [], proxyTimeoutMs: 1_000, hasQueue: false, initialRelease: 'v1' },
];

/** The service the load generator calls. */
export const ENTRY_SERVICE = 'web';

export function serviceSpec(name: string): ServiceSpec | undefined {
  return SERVICE_SPECS.find((s) => s.name === name);
}
