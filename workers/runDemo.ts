import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { nextIncident, watchIncident } from '../client/watch';
import { FleetControlClient } from '../providers/local/controlClient';
import type { Providers } from '../providers/types';

export interface DemoOptions {
  client: Client;
  providers: Providers;
  controlUrl: string;
  uiUrl?: string;
  namespace: string;
  approver: string;
  log: (line: string) => void;
  /** True once the user asked to stop: the demo ends at its next wait. */
  stopped: () => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function inject(controlUrl: string, service: string, scenario: string, by: string): Promise<string> {
  const reply = await new FleetControlClient(controlUrl).post<{ action?: { result?: { summary?: string } } }>(
    `/services/${service}/faults?waitMs=20000`,
    { actionId: `demo-${scenario}-${randomUUID()}`, scenario, by },
  );
  return reply.action?.result?.summary ?? scenario;
}

/** Mean error ratio of a service over the last few seconds (whether the demo's failure has passed). */
async function errorRatio(providers: Providers, service: string): Promise<number> {
  const to = new Date();
  const series = await providers.signals.series({
    service,
    metrics: ['error_ratio'],
    from: new Date(to.getTime() - 5000),
    to,
    stepSeconds: 1,
  });
  const points = series.find((s) => Object.keys(s.labels).length === 0)?.points ?? [];
  return points.length ? points.reduce((a, [, v]) => a + v, 0) / points.length : NaN;
}

async function waitHealthy(o: DemoOptions, service: string): Promise<void> {
  while (!o.stopped()) {
    const e = await errorRatio(o.providers, service).catch(() => NaN);
    if (e < 0.02) return;
    await sleep(2000);
  }
}

/**
 * The self-healing demo of the main job: break the local fleet twice and let Homeostat heal it while
 * the terminal shows each incident live. 1) a bad release of `checkout` (healed unattended: canary
 * rollback, then the rest); 2) an outage of `payments`' primary pool (a restart heals it unattended; a
 * reroute would wait for approval, so the demo prints the command that gives it). The detector workflow
 * finds both: the demo injects the faults and nothing else.
 */
export async function runDemo(o: DemoOptions): Promise<void> {
  const { log } = o;
  // A previous run may have left traffic on a standby pool; the outage of demo 2 needs it on primary.
  for (const service of ['web', 'checkout', 'payments']) {
    const t = await o.providers.remediation.describe(service);
    if (t.weights.primary !== 100 || t.weights.standby !== 0) {
      await o.providers.remediation.setWeights({
        actionId: `demo-reset-${randomUUID()}`,
        service,
        weights: { primary: 100, standby: 0 },
      });
    }
  }
  log('demo: the detector learns a healthy baseline for 20 s (traffic flows web → checkout → payments)…');
  await sleep(20_000);
  if (o.stopped()) return;

  log('');
  log('demo 1/2: someone ships a bad release of checkout — half of its requests fail');
  let since = new Date();
  log(`  ${await inject(o.controlUrl, 'checkout', 'bad-release', 'demo-ci')}`);
  log(
    '  waiting for the detector: checkout and web leave their learned baselines; it alerts on the deepest…',
  );
  let incident = await nextIncident(o.client, since, o.stopped);
  if (!incident) return;
  log(
    `  the detector found it: incident ${incident.workflowId} opened (web named as its victim, no alert of its own)`,
  );
  await watchIncident(incident, { print: log, uiUrl: o.uiUrl, namespace: o.namespace, until: o.stopped });
  await waitHealthy(o, 'web');
  if (o.stopped()) return;
  await sleep(15_000); // let the detector resolve its alert before the next failure

  log('');
  log("demo 2/2: payments' primary pool stops answering — checkout and web time out");
  since = new Date();
  log(`  ${await inject(o.controlUrl, 'payments', 'dependency-outage', 'demo-chaos')}`);
  incident = await nextIncident(o.client, since, o.stopped);
  if (!incident) return;
  log(
    `  the detector found it: incident ${incident.workflowId} opened (web and checkout named as its victims).`,
  );
  log(
    "  Most of payments' serving replicas are down while its standby pool is healthy: a cell outage. Moving",
  );
  log(`  traffic to the standby pool needs a human's approval; when it waits, from another terminal:`);
  log(
    `    npx homeostat approve ${incident.workflowId} --by ${o.approver} --reason "standby pool is healthy"`,
  );
  log(
    `  (or abort: npx homeostat abort ${incident.workflowId} --by ${o.approver} --reason "..."; status: npx homeostat status ${incident.workflowId})`,
  );
  await watchIncident(incident, { print: log, uiUrl: o.uiUrl, namespace: o.namespace, until: o.stopped });
  log('');
  log('demo: done. The stack keeps running — browse the incidents in the Temporal UI, or break something:');
  log(`  node --import tsx scripts/fault.ts --list --url ${o.controlUrl}`);
  log('  npx homeostat safety   (the governor: pause, circuit breakers, actions against the rate limits)');
  log(
    '  temporal workflow query --workflow-id homeostat-detector --type detectorState   (baselines, what fires)',
  );
}
