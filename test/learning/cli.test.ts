import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../workers/temporalCli';
import { testServerAddress, withWorker } from '../harness/env';
import { pastIncidents } from './pastIncidents';

/** The real `homeostat` command of the deployment whose task queue is `taskQueue`. */
function homeostat(taskQueue: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
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

describe('the feedback and learning commands', () => {
  it('say how to fix a wrong command line, and which incident does not exist', async () => {
    const queue = `test-${randomUUID()}`;
    const [noArgs, badVerdict, noWho, unknown, noId] = await Promise.all([
      homeostat(queue, 'feedback'),
      homeostat(queue, 'feedback', 'checkout', 'maybe', '--by', 'alice', '--reason', 'x'),
      homeostat(queue, 'feedback', 'checkout', 'wrong'),
      homeostat(queue, 'feedback', 'no-such-incident', 'wrong', '--by', 'alice', '--reason', 'x'),
      homeostat(queue, 'learning', 'revert'),
    ]);
    const usage = /usage: homeostat feedback <incident> noise\|right\|wrong --by <who> --reason <why>/;
    expect(noArgs).toMatchObject({ code: 2, out: expect.stringMatching(/needs an incident and a verdict/) });
    expect(noArgs.out).toMatch(usage);
    expect(badVerdict).toMatchObject({
      code: 2,
      out: expect.stringMatching(/the verdict must be noise, right or wrong \(got 'maybe'\)/),
    });
    expect(noWho).toMatchObject({
      code: 2,
      out: expect.stringMatching(/needs --by <who> and --reason <why>/),
    });
    expect(unknown).toMatchObject({ code: 1, out: expect.stringMatching(/no incident no-such-incident/) });
    expect(noId).toMatchObject({ code: 2, out: expect.stringMatching(/learning revert needs a change id/) });
  });

  it('records noise feedback, lists the moved threshold, and reverts it', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const [past] = await pastIncidents(taskQueue, 1, { service: 'checkout' });
    await withWorker(
      async () => {
        expect(await homeostat(taskQueue, 'learning')).toMatchObject({ code: 0, out: 'no feedback yet\n' });
        const given = await homeostat(
          taskQueue,
          'feedback',
          past!,
          'noise',
          '--by',
          'alice',
          '--reason',
          'load test',
        );
        expect(given.code).toBe(0);
        expect(given.out).toMatch(
          /L1 \(sensitivity\): threshold moved 3\.5 → 4\.0 for checkout after noise feedback by alice/,
        );
        const listed = await homeostat(taskQueue, 'learning');
        expect(listed.out).toMatch(/L1 .* sensitivity {2}checkout {2}active/);
        expect(listed.out).toMatch(/detector threshold of checkout: 4 \(configured 3\.5\)/);
        expect(
          await homeostat(taskQueue, 'learning', 'revert', 'L1', '--by', 'alice', '--reason', 'it was real'),
        ).toMatchObject({
          code: 0,
          out: expect.stringMatching(/L1 reverted by alice: it was real/),
        });
      },
      { taskQueue, deps: { approvers: ['alice'] } },
    );
  });
});
