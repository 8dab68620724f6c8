import type { Diagnosis, Evidence, ServiceEvidence } from '../model/diagnosis';
import { corruptedCache } from './cacheRule';
import { sentence } from './explain';
import { badRelease } from './releaseRule';
import { failing, walkToRoot } from './rootCause';
import { confidenceOf, scoreOf } from './score';
import { cellDown, leakingTargets, stuckTargets } from './targetRules';
import { networkTimeout, resourceExhaustion } from './trafficRules';
import type { RootContext, Rule, Verdict } from './verdict';
import { at, errorSpike, finite, judge, latencySpike, usual, type Windows } from './windows';
import { failedJobs, queueBacklog } from './workRules';

/**
 * First, honest rules over gathered evidence. Each compares the recent window (its mean, and its last
 * samples where the fault must still hold) with the service's own past (the quiet quartile of the
 * baseline window for failures and latency, the median for the rest, or of the time before a deploy,
 * so an earlier incident inside that window does not raise the bar), not with fixed thresholds alone.
 *
 * 1. Walk the dependency graph from the alerting service (rootCause.ts): while a dependency still fails,
 *    the root cause lies further down. The deepest failing service is the root.
 * 2. On the root, in this order (the first that matches decides):
 *    a. a recent deploy whose release errs or slows, and still does → bad-release (roll back);
 *    b. most of a dependency's targets down → dependency-outage (reroute around the cell);
 *    c. memory climbing on some targets → memory-leak (restart), before (d) because a leaking target
 *       killed at its memory limit is also a target down, and its memory series tells why;
 *    d. some targets not answering → deadlock (restart them);
 *    e. failures explained by corrupt cache entries → corrupted-cache (clear the cache);
 *    f. requests ending at a timeout while every target is healthy → network-timeout (reroute);
 *    g. saturation under a traffic rise that users feel → resource-exhaustion (scale out);
 *    h. a growing queue → queue-backlog (scale);
 *    i. dead letters → failed-jobs (replay);
 *    j. a failing dependency with none of these → dependency-outage, with a low score;
 *    k. a burst that ended by itself → healthy; anything else anomalous → unknown (a human decides).
 * Every verdict carries a score (score.ts) and the evidence behind it in plain words (explain.ts).
 */

export interface DiagnoseOptions {
  /** Deploys older than this before the evidence was gathered are not suspects. */
  deployLookbackSeconds?: number;
}

/** Every verdict diagnose() returns has a score and evidence. */
export type ScoredDiagnosis = Diagnosis & { score: number; evidence: string[] };

/** The rules after the deploy rule, in the order they take precedence. */
const RULES: readonly Rule[] = [
  cellDown,
  leakingTargets,
  stuckTargets,
  corruptedCache,
  networkTimeout,
  resourceExhaustion,
  queueBacklog,
  failedJobs,
];

export function diagnose(ev: Evidence, opts: DiagnoseOptions = {}): ScoredDiagnosis {
  const w: Windows = {
    baselineFrom: at(ev.baselineFrom),
    recentFrom: at(ev.recentFrom),
    now: at(ev.gatheredAt),
  };
  const byName = new Map(ev.services.map((s) => [s.service, s]));
  const alerting = byName.get(ev.service);
  if (!alerting) throw new Error(`no evidence gathered for ${ev.service}`);

  const walk = walkToRoot(alerting, byName, w);
  const root = walk.root;
  const viaDependency = root !== alerting;
  const chain = walk.path.map((s) => s.service).join(' → ');
  const ctx: RootContext = {
    root,
    w,
    where: viaDependency ? `${root.service} (root cause of ${chain})` : root.service,
    viaDependency,
    chain,
    findings: walk.findings,
    evidence: walk.evidence,
    errors: judge(root, 'error_ratio', w, errorSpike),
    latency: judge(root, 'latency_p95_ms', w, latencySpike),
  };

  const release = badRelease(ctx, (opts.deployLookbackSeconds ?? 900) * 1000);
  if (release.cleared) ctx.unblamedDeploy = release.cleared;
  const verdict = release.verdict ?? firstMatch(ctx) ?? fallback(ctx, alerting);

  const baselines = Object.fromEntries(
    Object.entries({ error_ratio: usual(ctx.errors.cmp), ...verdict.baselines }).map(([k, v]) => [
      k,
      finite(v),
    ]),
  );
  return {
    ...verdict,
    rootService: root.service,
    confidence: confidenceOf(verdict.score),
    findings: ctx.findings,
    evidence: merged(ctx.evidence, verdict.evidence),
    affectedTargets: verdict.affectedTargets ?? [],
    baselines,
    healthy: verdict.healthy ?? false,
  };
}

/** "error_ratio of checkout:", the part of a sentence that names the signal and its scope. */
const subject = (sentence: string): string => sentence.slice(0, sentence.indexOf(':') + 1);

/** The walk's sentences, less those the verdict says again in more detail (with the window's tail). */
function merged(walk: string[], verdict: string[]): string[] {
  const restated = new Set(verdict.map(subject).filter((s) => s.length > 0));
  return [...walk.filter((s) => !restated.has(subject(s))), ...verdict];
}

function firstMatch(ctx: RootContext): Verdict | undefined {
  for (const rule of RULES) {
    const verdict = rule(ctx);
    if (verdict) return verdict;
  }
  return undefined;
}

/** No known pattern: a failing dependency, a burst that already ended, or something a human must see. */
function fallback(ctx: RootContext, alerting: ServiceEvidence): Verdict {
  const { root, w } = ctx;
  if (ctx.viaDependency) {
    return {
      failureClass: 'dependency-outage',
      summary: `${ctx.chain}: ${root.service} fails and no known pattern of its own explains it`,
      score: scoreOf({ strength: 0, cap: 0.45 }),
      evidence: [`no known pattern of ${root.service}'s own explains its failure`],
    };
  }
  if (ctx.findings.length === 0) {
    return {
      failureClass: 'unknown',
      summary: `${root.service} looks healthy: nothing in the last window stands out from its baseline`,
      score: scoreOf({ strength: 0.5, agreeing: 1 }),
      evidence: [sentence(root.service, ctx.errors.cmp), sentence(root.service, ctx.latency.cmp)].filter(
        (s) => !s.includes('no value'),
      ),
      healthy: true,
    };
  }
  // A burst inside the window that no longer holds in its last samples ended by itself: nothing to act on.
  if (!failing(alerting, w, { stillFailing: true }).failing) {
    const peak = [ctx.errors, ctx.latency].filter((j) => j.spiked);
    return {
      failureClass: 'unknown',
      summary: `${root.service} had a short burst (${ctx.findings.map((f) => f.note).join(', ')}) that ended by itself: its last samples are back at the baseline`,
      score: scoreOf({ strength: 0.4 }),
      evidence: peak.map((j) => sentence(root.service, j.cmp, { recent: 'max', tail: j.tail })),
      healthy: true,
    };
  }
  return {
    failureClass: 'unknown',
    summary: `${root.service} is unhealthy (${ctx.findings.map((f) => f.note).join(', ')}) and no known pattern explains it`,
    score: scoreOf({ strength: 0, cap: 0.3 }),
    evidence: ['no known failure pattern explains it: a human should look'],
  };
}
