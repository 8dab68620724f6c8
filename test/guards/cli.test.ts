import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { governorWorkflowId } from '../../core/model/governor';
import { PROJECT_ROOT } from '../../workers/temporalCli';
import { testServerAddress, withWorker } from '../harness/env';

/** The real `homeostat` command of the deployment on `taskQueue`, against the test server. */
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

describe('homeostat silence / unsilence', () => {
  it('say how to fix a wrong command (exit 2), before connecting to anything', async () => {
    // An address nobody listens on: a usage error must not wait for a server.
    const cli = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/homeostat'), ...args], {
          env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      });
    // Each message is unit-tested (test/unit/silence.test.ts); here, that the command prints it.
    const cases: Array<[string[], RegExp]> = [
      [['silence'], /silence needs a service, e.g. homeostat silence checkout --for 2h/],
      [
        ['silence', 'checkout', '--for', 'soon', '--by', 'a', '--reason', 'b'],
        /--for soon is not a duration/,
      ],
      [['unsilence', 'silence-1', '--by', 'alice'], /unsilence needs --by <approver> and --reason <why>/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((r, i) => {
      expect(r).toMatchObject({ code: 2, out: expect.stringMatching(cases[i]![1]) });
      expect(r.out).toContain('usage: homeostat');
    });
  });

  it('silence for anyone, shown by `safety`; unsilence for approvers only', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const cli = (...args: string[]) => homeostat(taskQueue, ...args);
        const set = await cli(
          'silence',
          'checkout',
          '--class',
          'bad-release',
          '--for',
          '30m',
          '--by',
          'bob',
          '--reason',
          'migration',
        );
        expect(set).toMatchObject({
          code: 0,
          out: expect.stringMatching(
            /^silence-1: checkout \(bad-release\) silenced by bob until .*Z: migration/,
          ),
        });
        expect((await cli('safety')).out).toMatch(
          /silence-1: checkout \(bad-release\) silenced by bob until/,
        );
        expect((await cli('list')).out.split('\n')[0]).toMatch(
          /^SILENCED checkout \(bad-release\) silenced by bob until .*Z: migration \(silence-1; homeostat safety\)$/,
        );
        expect(await cli('unsilence', 'checkout', '--by', 'bob', '--reason', 'done')).toMatchObject({
          code: 1,
          out: expect.stringMatching(
            /refused: bob is not an approver; only approvers may lift a silence early/,
          ),
        });
        expect(await cli('unsilence', 'checkout', '--by', 'alice', '--reason', 'done')).toMatchObject({
          code: 0,
          out: expect.stringMatching(/lifted silence-1 by alice: checkout \(bad-release\) silenced by bob/),
        });
        expect((await cli('safety')).out).toMatch(/silences: none/);
        await client.workflow.getHandle(governorWorkflowId(taskQueue)).terminate('test done');
      },
      { deps: { approvers: ['alice'] } },
    );
  });
});
