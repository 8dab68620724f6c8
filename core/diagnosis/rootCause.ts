import type { Finding, ServiceEvidence } from '../model/diagnosis';
import { sentence } from './explain';
import { downServing, errorSpike, finding, judge, latencySpike, type Windows } from './windows';

const MAX_DEPTH = 5;

interface Failing {
  failing: boolean;
  findings: Finding[];
  evidence: string[];
}

/**
 * Is this service failing (errors or latency up against its own baseline, or most targets down)?
 * With `stillFailing`, a spike must also hold in the window's last samples: a dependency that recovered
 * seconds ago (a reroute that just finished) is not the root cause of its caller's errors now.
 */
export function failing(s: ServiceEvidence, w: Windows, opts: { stillFailing?: boolean } = {}): Failing {
  const findings: Finding[] = [];
  const evidence: string[] = [];
  const checks = [
    ['error_ratio', errorSpike, 'error ratio spiked'],
    ['latency_p95_ms', latencySpike, 'p95 latency rose'],
  ] as const;
  for (const [metric, spike, note] of checks) {
    const j = judge(s, metric, w, spike);
    if (!(opts.stillFailing ? j.holds : j.spiked)) continue;
    findings.push(finding(s.service, j.cmp, note));
    evidence.push(sentence(s.service, j.cmp, opts.stillFailing ? { tail: j.tail } : {}));
  }
  const down = downServing(s).length;
  const all = s.topology.targets.length;
  if (down > 0 && down * 2 >= all) {
    findings.push({
      metric: 'healthy_targets',
      scope: s.service,
      baseline: all,
      recent: all - down,
      note: 'most targets down',
    });
    evidence.push(`healthy_targets of ${s.service}: ${all - down} of ${all} pass health checks`);
  }
  return { failing: findings.length > 0, findings, evidence };
}

export interface Walk {
  root: ServiceEvidence;
  path: ServiceEvidence[];
  findings: Finding[];
  evidence: string[];
}

/**
 * Walk the dependency graph from the alerting service: while a dependency is still failing, the root
 * cause lies further down. The deepest failing service is the root.
 */
export function walkToRoot(
  alerting: ServiceEvidence,
  byName: Map<string, ServiceEvidence>,
  w: Windows,
): Walk {
  const first = failing(alerting, w);
  const path = [alerting];
  const findings = [...first.findings];
  const evidence = [...first.evidence];
  let root = alerting;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const next = root.topology.dependencies
      .map((d) => byName.get(d))
      .filter((d): d is ServiceEvidence => d !== undefined && !path.includes(d))
      .map((d) => ({ d, f: failing(d, w, { stillFailing: true }) }))
      .find((x) => x.f.failing);
    if (!next) break;
    findings.push(...next.f.findings.map((f) => ({ ...f, scope: `dependency ${f.scope}` })));
    evidence.push(
      `${root.service} calls ${next.d.service}, which still fails: ${next.f.evidence.join('; ')}`,
    );
    path.push(next.d);
    root = next.d;
  }
  return { root, path, findings, evidence };
}
