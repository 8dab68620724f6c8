/**
 * The labelled evaluation corpus: what is broken (the truth) and how, never how Homeostat should see it.
 * Each scenario injects faults through the local fleet's control API, exactly as a test or a person
 * would; the runner watches what the whole stack (detector → intake → incident → remediation) makes of
 * it. A benign scenario has no truth: any incident it opens is a false detection, any action a mistake.
 */

/** One fault, injected `afterSeconds` after the scenario's onset (default at once). */
export interface FaultStep {
  service: string;
  scenario: string;
  afterSeconds?: number;
}

/** A deploy by a human (a release with the given behaviour); healthy deploys are a benign look-alike. */
export interface DeployStep {
  service: string;
  behaviour: { errorRatio: number; latencyMs: number };
  afterSeconds?: number;
}

/** What is truly wrong: the root service and its failure class. */
export interface Truth {
  service: string;
  failureClass: string;
}

export interface Scenario {
  name: string;
  description: string;
  truth: Truth[];
  faults: FaultStep[];
  deploys?: DeployStep[];
  /**
   * How long the runner watches after the onset: a benign scenario for its whole length (nothing must
   * happen), a faulty one until every truth is healed or this runs out.
   */
  observeSeconds: number;
  /** Part of the short subset `npm test` runs. */
  subset?: boolean;
}

const fault = (
  name: string,
  service: string,
  failureClass: string,
  extra: Partial<Scenario> = {},
): Scenario => ({
  name,
  description: `${name} on ${service}`,
  truth: [{ service, failureClass }],
  faults: [{ service, scenario: name }],
  observeSeconds: 150,
  ...extra,
});

export const CORPUS: readonly Scenario[] = [
  fault('bad-release', 'checkout', 'bad-release', {
    description: 'a human deploys a release of checkout that fails half of its requests',
    subset: true,
  }),
  fault('memory-leak', 'checkout', 'memory-leak', { description: 'one checkout replica leaks memory' }),
  fault('hang', 'checkout', 'deadlock', { description: 'one checkout replica stops answering' }),
  fault('dependency-outage', 'payments', 'dependency-outage', {
    description: "payments' primary pool stops answering; web and checkout time out too (one incident)",
  }),
  fault('queue-backlog', 'checkout', 'queue-backlog', {
    description: "checkout's job consumers fall behind",
  }),
  fault('corrupted-cache', 'checkout', 'corrupted-cache', {
    description: "every checkout replica's cache holds corrupt entries",
  }),
  fault('failed-jobs', 'checkout', 'failed-jobs', { description: 'jobs fail into the dead-letter list' }),
  fault('network-timeout', 'payments', 'network-timeout', {
    description: "the network path to payments' primary pool is slower than its callers' timeout",
  }),
  fault('traffic-surge', 'checkout', 'resource-exhaustion', {
    description: 'a surge of traffic saturates checkout',
  }),
  // The same classes elsewhere in the call graph: diagnosis must follow the evidence, not the service.
  fault('hang', 'web', 'deadlock', { name: 'hang-web', description: 'one web replica stops answering' }),
  fault('memory-leak', 'payments', 'memory-leak', {
    name: 'memory-leak-payments',
    description: 'one payments replica leaks memory',
  }),
  fault('corrupted-cache', 'web', 'corrupted-cache', {
    name: 'corrupted-cache-web',
    description: "every web replica's cache holds corrupt entries",
  }),
  fault('network-timeout', 'checkout', 'network-timeout', {
    name: 'network-timeout-checkout',
    description: "the network path to checkout's primary pool is slower than web's timeout",
  }),
  fault('traffic-surge', 'web', 'resource-exhaustion', {
    name: 'traffic-surge-web',
    description: 'a surge of traffic saturates web',
  }),
  {
    name: 'slow-release-payments',
    description: 'a human deploys a release of payments that adds 400 ms to every request (no errors)',
    truth: [{ service: 'payments', failureClass: 'bad-release' }],
    faults: [],
    deploys: [{ service: 'payments', behaviour: { errorRatio: 0, latencyMs: 400 } }],
    observeSeconds: 150,
  },
  {
    name: 'two-faults',
    description: 'two faults at once on different services: a memory leak in web, dead letters in checkout',
    truth: [
      { service: 'web', failureClass: 'memory-leak' },
      { service: 'checkout', failureClass: 'failed-jobs' },
    ],
    faults: [
      { service: 'web', scenario: 'memory-leak' },
      { service: 'checkout', scenario: 'failed-jobs' },
    ],
    observeSeconds: 180,
  },
  {
    name: 'benign-traffic-spike',
    description: 'a traffic spike the fleet absorbs',
    truth: [],
    faults: [{ service: 'checkout', scenario: 'traffic-spike' }],
    observeSeconds: 60,
    subset: true,
  },
  {
    name: 'benign-healthy-deploy',
    description: 'a human deploys a healthy release of checkout',
    truth: [],
    faults: [],
    deploys: [{ service: 'checkout', behaviour: { errorRatio: 0, latencyMs: 0 } }],
    observeSeconds: 60,
  },
  {
    name: 'benign-error-burst',
    description: 'a single transient burst of errors on checkout that ends by itself',
    truth: [],
    faults: [{ service: 'checkout', scenario: 'error-burst' }],
    observeSeconds: 60,
  },
  {
    name: 'benign-daily-cycle',
    description: 'traffic follows a slow (time-compressed) daily cycle',
    truth: [],
    faults: [{ service: 'web', scenario: 'daily-cycle' }],
    observeSeconds: 150,
  },
];
