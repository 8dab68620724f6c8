import { sentence } from './explain';
import { margin, scoreOf } from './score';
import type { RootContext, Verdict } from './verdict';
import { compareMetric, finding, finite } from './windows';

/** Rules about background work: a queue that does not drain, jobs that failed for good. */

const QUEUE_FLOOR = 50;

/** Work piling up: scale the consumers. */
export function queueBacklog(ctx: RootContext): Verdict | undefined {
  const queue = compareMetric(ctx.root, 'queue_depth', ctx.w);
  const bar = Math.max(QUEUE_FLOOR, finite(queue.baseline.median) * 3);
  if (!(queue.recent.mean > bar && queue.recent.slopePerSecond >= 0)) return undefined;
  ctx.findings.push(finding(ctx.root.service, queue, 'queue backlog growing'));
  return {
    failureClass: 'queue-backlog',
    summary: `the queue of ${ctx.where} holds ${Math.round(queue.recent.last)} items and is not draining`,
    score: scoreOf({
      strength: margin(queue.recent.mean, bar),
      agreeing: queue.recent.slopePerSecond > 0 ? 1 : 0,
    }),
    evidence: [
      `${sentence(ctx.root.service, queue)}, ${
        queue.recent.slopePerSecond > 0
          ? `growing ${queue.recent.slopePerSecond.toFixed(1)} items/s`
          : 'not draining'
      }`,
    ],
    baselines: { queue_depth: finite(queue.baseline.median) },
  };
}

/** Dead letters waiting: replay them once the cause is gone. */
export function failedJobs(ctx: RootContext): Verdict | undefined {
  const dead = compareMetric(ctx.root, 'dead_letters', ctx.w);
  const usual = finite(dead.baseline.median);
  if (!(dead.recent.last > 0 && dead.recent.last > usual)) return undefined;
  ctx.findings.push(finding(ctx.root.service, dead, 'dead letters waiting'));
  return {
    failureClass: 'failed-jobs',
    summary: `${Math.round(dead.recent.last)} failed jobs of ${ctx.where} wait in the dead-letter list`,
    score: scoreOf({
      strength: margin(dead.recent.last, usual),
      agreeing: dead.recent.slopePerSecond >= 0 ? 1 : 0,
    }),
    evidence: [sentence(ctx.root.service, dead, { recent: 'last' })],
  };
}
