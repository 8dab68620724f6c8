import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { AwsConfig } from '../../core/model/awsConfig';
import type { IncidentReport } from '../../core/model/incidentState';
import {
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import type { Providers } from '../../providers/types';
import { waitFor } from '../fleet/fleetHarness';
import { testActivityDeps, withWorker } from '../harness/env';
import { fastCatalog, firingAlert, INCIDENT_WINDOWS, openIncident } from '../incident/harness';
import { recordCommands, type CommandLog } from './commandLog';
import { cellsOnMoto } from './ecsReader';
import { startMoto, type MotoServer } from './motoServer';
import { CELLS, seed, type Seeded } from './seed';
import { putHealthyHistory, startWorld, TRAFFIC, type WorldSimulator } from './worldSimulator';

/**
 * Issue #6, the whole incident on AWS: the real incident workflow on the shared Temporal dev server, with
 * the real AWS providers against moto. Both cells of `checkout` run v1 with healthy ALB traffic; CI
 * deploys v2 (UpdateService), whose cells answer with errors. The incident must blame v2, roll the canary
 * cell back to v1, verify that cell's own target group, then roll back the other cell and recover.
 */
describe('incident on AWS: a bad ECS release rolled back cell by cell (moto)', () => {
  let moto: MotoServer;
  let seeded: Seeded;
  let clients: AwsClients | undefined;
  let world: WorldSimulator | undefined;

  beforeAll(async () => {
    moto = await startMoto();
    seeded = await seed(moto, { deployBad: false, minuteMetrics: false });
  });

  afterAll(async () => {
    await world?.stop();
    if (clients) destroyAwsClients(clients);
    await moto?.stop();
  });

  it('diagnoses the bad release, rolls back the canary cell, then the other, and recovers', async () => {
    // The seed's mapping declares a `payments` dependency it does not map: the incident must note it
    // and carry on rather than end.
    const config: AwsConfig = seeded.config;
    clients = createAwsClients(config, { credentials: moto.credentials });
    const commands: CommandLog = recordCommands(clients);
    const providers: Providers = createAwsProviders(config, clients);

    // Healthy traffic on v1 for the baseline window before the deployment, then CI deploys v2.
    const deployedAt = await primaryDeploymentCreatedAt(moto);
    await putHealthyHistory(
      moto,
      seeded,
      new Date(deployedAt.getTime() - (INCIDENT_WINDOWS.baselineWindowSeconds + 30) * 1000),
      deployedAt,
    );
    await deployAsCi(moto, seeded.v2);
    world = startWorld(moto, seeded, seeded.v2);

    // The alert fires once the errors show in CloudWatch, read as the workflow reads them.
    await waitFor(
      'the bad release to show in error_ratio',
      async () => {
        const all = await providers.signals.series({
          service: 'checkout',
          metrics: ['error_ratio'],
          from: deployedAt,
          to: new Date(),
          stepSeconds: 1,
        });
        const points = (all.find((s) => s.metric === 'error_ratio' && !s.labels.pool)?.points ?? []).filter(
          ([t]) => t >= deployedAt.getTime(),
        );
        return points.length >= 3 && points.every(([, v]) => v > 0.2) ? points : undefined;
      },
      30_000,
      500,
    );
    commands.clear();

    const report = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        return (await handle.result()) as IncidentReport;
      },
      {
        deps: {
          providers,
          // Fast catalog and short windows (and the seed's fast steady-state wait): the default catalog,
          // windows and triage run in test/slow/productionDefaults.test.ts, the default AWS poll interval
          // in test/slow/awsDefaultPoll.test.ts.
          catalog: fastCatalog(),
          incidents: { ...testActivityDeps().incidents, ...INCIDENT_WINDOWS },
        },
      },
    );
    const updates = commands.count('UpdateService');
    await world.stop();

    if (report.outcome !== 'recovered' || report.steps.length !== 2) {
      console.log(JSON.stringify({ conclusion: report.conclusion, timeline: report.timeline }, null, 1));
    }
    expect(report.outcome).toBe('recovered');
    expect(report.timeline.map((t) => t.event)).toContainEqual(
      expect.stringMatching(/^dependency payments not diagnosed: .*no aws.services entry/),
    );
    expect(report.failureClass).toBe('bad-release');
    expect(report.playbook).toBe('rollback-bad-release');
    const diagnosis = report.timeline.find((t) => t.event.startsWith('diagnosis:'))?.event;
    expect(diagnosis).toContain(seeded.v2);
    expect(diagnosis).toContain(`${seeded.v1} was healthy`);

    expect(report.steps.map((s) => [s.stage, s.status, s.action])).toEqual([
      [
        'canary',
        'done',
        { kind: 'set-release', service: 'checkout', release: seeded.v1, targets: [CELLS[0].name] },
      ],
      [
        'fleet',
        'done',
        { kind: 'set-release', service: 'checkout', release: seeded.v1, targets: [CELLS[1].name] },
      ],
    ]);
    // Each step was judged on its own cell's target group: the canary check saw cell a's good ratio,
    // while the service as a whole (cell b still on v2) was still failing during the canary's bake.
    const goodRatio = TRAFFIC.goodErrors / TRAFFIC.requests;
    expect(report.steps.map((s) => s.verification?.healthy)).toEqual([true, true]);
    expect(report.steps[0]!.verification!.observed).toBeCloseTo(goodRatio);
    const canaryDone = Date.parse(
      report.timeline.find((t) => t.event.startsWith('canary.rollback-canary:'))!.at,
    );
    const fleetStarted = Date.parse(report.steps[1]!.startedAt);
    const duringCanary = await providers.signals.series({
      service: 'checkout',
      metrics: ['error_ratio'],
      from: new Date(canaryDone),
      to: new Date(fleetStarted),
      stepSeconds: 1,
    });
    // Whole seconds that began after the canary's rollback and ended before the fleet step began.
    const inWindow = (pool?: string): number[] =>
      (duringCanary.find((s) => s.metric === 'error_ratio' && s.labels.pool === pool)?.points ?? [])
        .filter(([t]) => t >= canaryDone && t + 1000 <= fleetStarted)
        .map(([, v]) => v);
    expect(inWindow('checkout-a').length).toBeGreaterThan(0);
    expect(inWindow('checkout-a').every((v) => v === goodRatio)).toBe(true);
    expect(inWindow(undefined).length).toBeGreaterThan(0);
    expect(inWindow(undefined).every((v) => v > 0.05)).toBe(true);
    expect(report.conclusion).toMatch(/^rollback-bad-release worked: error_ratio held/);

    const cells = await cellsOnMoto(moto);
    expect(Object.values(cells).map((c) => c.taskDefinition)).toEqual([seeded.v1, seeded.v1]);
    expect(updates).toBe(2);
  });
});

/** When moto says the cells' deployment began: what the deploy history reports as the deploy's time. */
async function primaryDeploymentCreatedAt(moto: MotoServer): Promise<Date> {
  const ecs = new ECSClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: 'prod', services: CELLS.map((c) => c.service) }),
    );
    const times = (out.services ?? []).map((s) =>
      s.deployments!.find((d) => d.status === 'PRIMARY')!.createdAt!.getTime(),
    );
    return new Date(Math.min(...times));
  } finally {
    ecs.destroy();
  }
}

/** CI deploys the bad release to both cells (someone else's UpdateService, not counted). */
async function deployAsCi(moto: MotoServer, release: string): Promise<void> {
  const ecs = new ECSClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
  try {
    for (const cell of CELLS) {
      await ecs.send(
        new UpdateServiceCommand({ cluster: cell.cluster, service: cell.service, taskDefinition: release }),
      );
    }
  } finally {
    ecs.destroy();
  }
}
