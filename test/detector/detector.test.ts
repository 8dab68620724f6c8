import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DetectorView } from '../../core/detection/state';
import { detectorConfigSchema } from '../../core/model/detectorConfig';
import { startDetector } from '../../activities/detection/start';
import { detectorStateQuery, type DetectorRunConfig } from '../../workflows/detector/api';
import { withWorker } from '../harness/env';
import { waitFor } from '../fleet/fleetHarness';
import { workflowsOnQueueSettled } from '../triggers/helpers';
import { deployByHand, incidentDeps, injectFault, state, useFleet, waitForState } from '../incident/harness';

/**
 * The detector end to end: its workflow on the real dev server, reading the real local fleet, opening
 * incidents through intake() on a worker that also runs them. Each test starts its own detector (its own
 * workflow id and task queue) from a reset fleet whose series already hold a healthy history.
 */

const fleet = useFleet();

const { enabled: _enabled, ...defaults } = detectorConfigSchema.parse({});
// Evaluations every 2 s (default 5 s) so the file stays short; `for` 4 s needs three evaluations in a row.
const CONFIG: DetectorRunConfig = {
  ...defaults,
  services: ['web', 'checkout', 'payments'],
  intervalSeconds: 2,
  forSeconds: 4,
  baselineSeconds: 120,
};

const view = (handle: WorkflowHandle): Promise<DetectorView> => handle.query(detectorStateQuery);

/** Polls the detector's query until `ok` holds; returns that view. */
function waitForView(
  handle: WorkflowHandle,
  what: string,
  ok: (v: DetectorView) => boolean,
  timeoutMs = 60_000,
) {
  return waitFor(
    `detector: ${what}`,
    async () => {
      const v = await view(handle);
      return ok(v) ? v : undefined;
    },
    timeoutMs,
  );
}

/** Every service's error ratio judged against a learned baseline (not learning). */
const learned = (v: DetectorView): boolean =>
  CONFIG.services.every((s) =>
    v.baselines.some((b) => b.service === s && b.signal === 'error_ratio' && b.state !== 'learning'),
  );

/** The incidents on the test's task queue, read once visibility has caught up (not the detector itself). */
async function incidentsOn(client: Client, taskQueue: string): Promise<string[]> {
  return (await workflowsOnQueueSettled(client, taskQueue)).filter((id) => id.startsWith('incident:')).sort();
}

/**
 * A detector of the test's own: its own workflow id, and an incident scope so its incidents
 * (`incident:<service>/<scope>`) never meet another test file's on the shared server.
 */
async function detector(client: Client, taskQueue: string, config: Partial<DetectorRunConfig> = {}) {
  const scope = randomUUID().slice(0, 8);
  const handle = await startDetector(
    client,
    taskQueue,
    { ...CONFIG, incidentScope: scope, ...config },
    `detector-${randomUUID()}`,
  );
  return { handle, incidentId: (service: string) => `incident:${service}/${scope}` };
}

describe('the detector on the local fleet', () => {
  it('opens no incident for a benign error burst, a healthy deploy, or a traffic spike the fleet absorbs', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const { handle } = await detector(client, taskQueue);
        try {
          await waitForView(handle, 'baselines learned', learned);
          await injectFault(fleet(), 'checkout', 'error-burst');
          // A healthy release rolled out replica by replica: at most a brief blip.
          await deployByHand(fleet(), 'payments', 'v2', 'ci');
          await injectFault(fleet(), 'web', 'traffic-spike');
          // The spike is seen (request rate far above its baseline) but it is context, not harm.
          const spiking = await waitForView(handle, 'the traffic spike seen on web', (v) =>
            v.baselines.some(
              (b) => b.service === 'web' && b.signal === 'request_rate' && b.state === 'anomalous',
            ),
          );
          const from = spiking.evaluations;
          // Long after the burst ended, with the spike still on: nothing fired, nothing was opened.
          const later = await waitForView(
            handle,
            '10 more evaluations',
            (v) => v.evaluations >= from + 10,
            90_000,
          );
          expect(later.firing).toEqual([]);
          expect(later.episodes).toEqual([]);
          expect(
            later.baselines.find((b) => b.service === 'web' && b.signal === 'request_rate'),
          ).toMatchObject({
            phase: 'inactive',
          });
          expect(await incidentsOn(client, taskQueue)).toEqual([]);
        } finally {
          await handle.terminate('test over');
        }
      },
      { deps: incidentDeps(fleet()) },
    );
  });

  it('a bad release of checkout: exactly one incident, on checkout, opened by the detector, resolved once healed', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const { handle, incidentId } = await detector(client, taskQueue);
        try {
          const before = await waitForView(handle, 'baselines learned', learned);
          await injectFault(fleet(), 'checkout', 'bad-release');
          const incident = client.workflow.getHandle(incidentId('checkout'));
          const opened = await waitForState(incident, 'a detector alert on checkout', (s) =>
            s.firingAlerts.some((f) => f.startsWith('detector/checkout/')),
          );
          const at = await view(handle);
          // Found within a few evaluations of the injection (`for` alone takes three).
          expect(at.evaluations - before.evaluations).toBeLessThanOrEqual(8);
          expect(opened.input.service).toBe('checkout');
          const episode = at.episodes.find((e) => e.service === 'checkout')!;
          expect(episode).toMatchObject({ role: 'root', delivered: true });
          // Web fails with checkout: if the detector saw it, it is checkout's victim, not an incident.
          for (const e of at.episodes.filter((x) => x.service !== 'checkout'))
            expect(e).toMatchObject({ role: 'victim', related: ['checkout'], delivered: false });
          expect(await incidentsOn(client, taskQueue)).toEqual([incidentId('checkout')]);

          // The incident rolls the release back; the detector sees checkout recover and resolves its alert.
          const fingerprint = opened.firingAlerts.find((f) => f.startsWith('detector/checkout/'))!;
          await waitForState(
            incident,
            'the detector alert resolved',
            (s) => s.resolvedAlerts.includes(fingerprint),
            90_000,
          );
          expect((await view(handle)).episodes.find((e) => e.service === 'checkout')).toBeUndefined();
          expect(await incidentsOn(client, taskQueue)).toEqual([incidentId('checkout')]);
          // Recovery came from the incident's own rollback steps, not by itself.
          expect((await state(incident)).steps.length).toBeGreaterThan(0);
        } finally {
          await handle.terminate('test over');
        }
      },
      { deps: incidentDeps(fleet()) },
    );
  }, 180_000);

  it('a memory leak in one replica is alerted while it climbs: on checkout, naming the target', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const { handle, incidentId } = await detector(client, taskQueue);
        try {
          await waitForView(handle, 'baselines learned', learned);
          await injectFault(fleet(), 'checkout', 'memory-leak');
          const incident = client.workflow.getHandle(incidentId('checkout'));
          const opened = await waitForState(incident, 'a detector alert on checkout', (s) =>
            s.firingAlerts.some((f) => f.startsWith('detector/checkout/memory_rss_mb@')),
          );
          expect(opened.input.title).toMatch(/MemoryClimbing/);
          const episode = (await view(handle)).episodes.find((e) => e.service === 'checkout')!;
          expect(episode.signal).toMatch(/^memory_rss_mb@checkout-\d+$/);
          expect(await incidentsOn(client, taskQueue)).toEqual([incidentId('checkout')]);
        } finally {
          await handle.terminate('test over');
        }
      },
      { deps: incidentDeps(fleet()) },
    );
  });

  it('continues as new every N evaluations carrying its state, and survives a worker restart', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const workflowId = `detector-${randomUUID()}`;
    let carried = 0;
    let runs = new Set<string>();
    await withWorker(
      async ({ client }) => {
        const handle = await startDetector(
          client,
          taskQueue,
          { ...CONFIG, intervalSeconds: 1, evaluationsPerRun: 3 },
          workflowId,
        );
        const firstRun = (await handle.describe()).runId;
        runs.add(firstRun);
        const v = await waitForView(handle, 'two continuations', (x) => x.evaluations >= 7);
        runs.add((await handle.describe()).runId);
        carried = v.evaluations;
        // The count runs on across runs: each run started from the state the one before carried.
        expect((await handle.describe()).runId).not.toBe(firstRun);
      },
      { taskQueue, deps: incidentDeps(fleet()) },
    );
    // The worker is gone; a new one picks the detector up where it was.
    await withWorker(
      async ({ client }) => {
        const handle = client.workflow.getHandle(workflowId);
        const v = await waitForView(
          handle,
          'evaluations after the restart',
          (x) => x.evaluations >= carried + 4,
        );
        expect(v.lastAt).toBeDefined();
        const d = await handle.describe();
        expect(d.status.name).toBe('RUNNING');
        runs.add(d.runId);
        expect(runs.size).toBeGreaterThanOrEqual(3);
        // Starting it again (a restarted stack) joins the running detector instead of starting a second one.
        const again = await startDetector(
          client,
          taskQueue,
          { ...CONFIG, intervalSeconds: 1, evaluationsPerRun: 3 },
          workflowId,
        );
        expect((await again.describe()).status.name).toBe('RUNNING');
        const ids: string[] = [];
        for await (const wf of client.workflow.list({
          query: `WorkflowId="${workflowId}" AND ExecutionStatus="Running"`,
        }))
          ids.push(wf.runId);
        expect(ids.length).toBeLessThanOrEqual(1);
        await handle.terminate('test over');
        runs = new Set();
      },
      { taskQueue, deps: incidentDeps(fleet()) },
    );
  });
});
