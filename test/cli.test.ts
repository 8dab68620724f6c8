import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentReport } from '../core/model/incidentState';
import { governorWorkflowId } from '../core/model/governor';
import { PROJECT_ROOT } from '../workers/temporalCli';
import { governorQuery, releasePermitsUpdate } from '../workflows/governorApi';
import { updateGovernor } from '../client/governor';
import { DEFAULT_SAFETY_LIMITS } from '../core/model/permits';
import { testActivityDeps, testServerAddress, withWorker } from './harness/env';
import { firingAlert, openIncident, waitForState } from './incident/harness';
import { mergeAudit } from '../client/audit/merge';
import { readAuditSources } from '../client/audit/read';
import { createOperator } from '../client/operator';

/** Runs the real `homeostat` command against the test server. */
function homeostat(...args: string[]): Promise<{ code: number | null; out: string }> {
  return homeostatOn('homeostat', ...args);
}

/** The CLI of the deployment whose task queue is `taskQueue` (the governor is per task queue). */
function homeostatOn(taskQueue: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/homeostat'), ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: testServerAddress(), HOMEOSTAT_TASK_QUEUE: taskQueue },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('the homeostat CLI', () => {
  it('lists, shows, refuses what it must, and aborts an incident', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const alert = firingAlert('checkout');
        const handle = await openIncident(client, taskQueue, alert);
        await waitForState(handle, 'triage with its policy', (s) => s.policy !== undefined);
        const key = handle.workflowId.replace(/^incident:/, '');

        const list = await homeostat('list');
        expect(list.code).toBe(0);
        expect(list.out).toContain(handle.workflowId);

        // An open incident's report is a draft, read through its state query.
        const draft = await homeostat('report', key);
        expect(draft.code).toBe(0);
        expect(draft.out).toMatch(/\*\*Draft of an open incident\*\* \(phase `triage`\)/);
        expect(await homeostat('stats', '--since', '30')).toMatchObject({
          code: 2,
          out: expect.stringMatching(/--since '30' is not a duration: use .* e\.g\. 30d, 12h, 90m/),
        });

        const status = await homeostat('status', key);
        expect(status.code).toBe(0);
        expect(status.out).toMatch(/TRIAGE/);
        expect(status.out).toContain(`HighErrorRate on ${key}`);

        expect(await homeostat('status', 'no-such-service')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/no incident no-such-service/),
        });
        expect(await homeostat('approve', key)).toMatchObject({
          code: 2,
          out: expect.stringMatching(/needs --by <who> and --reason <why>/),
        });
        expect(await homeostat('approve', key, '--by', 'alice', '--reason', 'looks fine')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/refused: the incident is not awaiting approval \(phase: triage\)/),
        });
        expect(await homeostat('abort', key, '--by', 'bob', '--reason', 'nope')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/refused: bob is not an approver/),
        });
        expect(await homeostat('frobnicate')).toMatchObject({
          code: 2,
          out: expect.stringMatching(/unknown command/),
        });

        const abort = await homeostat('abort', handle.workflowId, '--by', 'alice', '--reason', 'false alarm');
        expect(abort).toMatchObject({ code: 0, out: expect.stringMatching(/abort accepted from alice/) });
        const report = (await handle.result()) as IncidentReport;
        expect(report.outcome).toBe('aborted');
        expect(report.approvals).toMatchObject([
          { kind: 'abort', by: 'alice', reason: 'false alarm', via: 'update' },
        ]);

        // The closed incident's report needs no worker's answer: its result and history are enough.
        const file = join(mkdtempSync(join(tmpdir(), 'homeostat-report-')), 'incident.md');
        expect(await homeostat('report', key, '--out', file)).toMatchObject({
          code: 0,
          out: /report written to/,
        });
        const markdown = readFileSync(file, 'utf8');
        expect(markdown).toMatch(/Outcome: \*\*aborted\*\*/);
        expect(markdown).toMatch(/\*\*abort\*\* by \*\*alice\*\* via update — "false alarm"/);
        // The audit (this deployment's incidents only, so other tests' incidents do not slow it down).
        const since = new Date(Date.now() - 3600_000);
        const sources = await readAuditSources(client, createOperator(client, taskQueue), since, taskQueue);
        expect(mergeAudit(sources.governorLog, sources.incidents, { since, who: 'Alice' })).toMatchObject([
          { kind: 'abort', by: 'alice', reason: 'false alarm', incident: handle.workflowId },
        ]);
      },
      { deps: { approvers: ['alice'], incidents: { ...testActivityDeps().incidents, triageSeconds: 120 } } },
    );
  });

  it('pauses automation for anyone, resumes it for approvers only, and shows the pause in list', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const cli = (...args: string[]) => homeostatOn(taskQueue, ...args);
        expect(await cli('resume', '--by', 'alice', '--reason', 'nothing to resume')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/automation is not paused/),
        });
        expect(await cli('pause', '--by', 'bob', '--reason', 'bad deploy day')).toMatchObject({
          code: 0,
          out: expect.stringMatching(/AUTOMATION PAUSED by bob since .*: bad deploy day/),
        });
        expect(await cli('pause', '--by', 'carol', '--reason', 'me too')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/refused: already paused by bob/),
        });
        expect((await cli('list')).out.split('\n')[0]).toMatch(/^AUTOMATION PAUSED by bob/);
        expect(await cli('resume', '--by', 'bob', '--reason', 'done')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/refused: bob is not an approver; only approvers may resume/),
        });
        expect(await cli('resume', '--by', 'alice', '--reason', 'all clear')).toMatchObject({
          code: 0,
          out: expect.stringMatching(/automation resumed by alice: all clear/),
        });
        const governor = client.workflow.getHandle(governorWorkflowId(taskQueue));
        const state = await governor.query(governorQuery);
        expect(state.paused).toBeNull();
        expect(state.log.map((e) => [e.kind, e.by])).toEqual([
          ['pause', 'bob'],
          ['resume', 'alice'],
        ]);
        await governor.terminate('test done');
      },
      { deps: { approvers: ['alice'] } },
    );
  });
  it('shows the governor’s safety state, and lets only an approver close an open circuit breaker', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const cli = (...args: string[]) => homeostatOn(taskQueue, ...args);
        expect((await cli('safety')).out).toMatch(/automation active\ncircuit breakers: all closed/);
        // Two failed remediations of checkout, reported the way incidents report them.
        for (const incidentId of ['i1', 'i2']) {
          await updateGovernor(client, taskQueue, releasePermitsUpdate, {
            incidentId,
            services: ['checkout'],
            result: 'failed',
            conclusion: 'rollback did not verify',
            limits: DEFAULT_SAFETY_LIMITS,
          });
        }
        const safety = await cli('safety');
        expect(safety.out).toMatch(/circuit breakers OPEN/);
        // The Temporal UI shows the same text as the governor's current details.
        const metadata = (await client.workflow
          .getHandle(governorWorkflowId(taskQueue))
          .query('__temporal_workflow_metadata')) as { currentDetails?: string };
        expect(metadata.currentDetails).toMatch(/checkout: 2 failed remediation\(s\)/);
        expect(safety.out).toMatch(/checkout: 2 failed remediation\(s\); last: rollback did not verify/);
        expect((await cli('list')).out).toMatch(/CIRCUIT BREAKER OPEN for checkout/);
        expect(await cli('reset-breaker', 'checkout', '--by', 'bob', '--reason', 'looks fine')).toMatchObject(
          {
            code: 1,
            out: expect.stringMatching(
              /refused: bob is not an approver; only approvers may reset a circuit breaker/,
            ),
          },
        );
        expect(
          await cli('reset-breaker', 'checkout', '--by', 'alice', '--reason', 'bad host replaced'),
        ).toMatchObject({
          code: 0,
          out: expect.stringMatching(/circuit breaker of checkout closed by alice/),
        });
        expect(await cli('reset-breaker', 'checkout', '--by', 'alice', '--reason', 'again')).toMatchObject({
          code: 1,
          out: expect.stringMatching(/refused: the circuit breaker of checkout is not open/),
        });
        const governor = client.workflow.getHandle(governorWorkflowId(taskQueue));
        const state = await governor.query(governorQuery);
        expect(state.permits?.breakers).toEqual({});
        expect(state.log).toMatchObject([{ kind: 'breaker-reset', by: 'alice', service: 'checkout' }]);
        await governor.terminate('test done');
      },
      { deps: { approvers: ['alice'] } },
    );
  });
});
