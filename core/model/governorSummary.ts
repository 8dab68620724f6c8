import type { GovernorState } from './governor';
import type { SafetyLimits } from './permits';
import { formatSilences } from './silence';
import { flappingLimits, formatFlapping } from './flapping';

const HOUR_MS = 3_600_000;

/**
 * What the governor holds, for the terminal: the pause, open circuit breakers, services under
 * remediation, root causes owned by an incident (and their victims), and the actions of the last hour
 * against the rate limits.
 */
export function formatGovernor(
  state: GovernorState | undefined,
  limits: SafetyLimits,
  now = Date.now(),
): string {
  const lines: string[] = [];
  lines.push(
    state?.paused
      ? `automation PAUSED by ${state.paused.by} since ${state.paused.at}: ${state.paused.reason}`
      : 'automation active',
  );
  const permits = state?.permits;
  const breakers = Object.entries(permits?.breakers ?? {}).map(([service, b]) => {
    const recent = b.failures.filter((at) => now - Date.parse(at) < limits.breakerWindowSeconds * 1000);
    return { service, recent, last: b.lastConclusion };
  });
  const open = breakers.filter((b) => b.recent.length >= limits.breakerFailures);
  lines.push(
    open.length === 0
      ? 'circuit breakers: all closed'
      : `circuit breakers OPEN (a human approves each remediation; reset with \`homeostat reset-breaker <service> --by --reason\`):`,
  );
  for (const b of open)
    lines.push(`  ${b.service}: ${b.recent.length} failed remediation(s); last: ${b.last ?? '-'}`);
  for (const b of breakers.filter((x) => x.recent.length > 0 && x.recent.length < limits.breakerFailures))
    lines.push(`  ${b.service}: ${b.recent.length}/${limits.breakerFailures} failures toward opening`);

  const leases = Object.entries(permits?.leases ?? {});
  lines.push(
    `under remediation: ${leases.length === 0 ? 'nothing' : leases.map(([incident, l]) => `${l.service} (${incident.split('/')[0]})`).join(', ')}` +
      ` — at most ${limits.maxConcurrentServices} service(s) at once`,
  );
  // Cross-service correlation: which open incident acts for each root cause, and who waits on it.
  for (const [root, owner] of Object.entries(state?.roots ?? {})) {
    const victims = owner.victims.map((v) => `${v.service} (${v.workflowId})`).join(', ');
    lines.push(
      `root cause ${root}: ${owner.failureClass}, handled by ${owner.workflowId}` +
        (victims ? `; victims waiting on it: ${victims}` : ''),
    );
  }
  // What people's feedback changed and is still in force (each one revertible by id).
  const learned = (state?.learning?.changes ?? []).filter((c) => !c.reverted);
  if (learned.length > 0)
    lines.push(
      `learned from feedback: ${learned.length} change(s) in force (\`homeostat learning\` lists them)`,
    );
  const actions = (permits?.actions ?? []).filter((a) => now - Date.parse(a.at) < HOUR_MS);
  const perService = new Map<string, number>();
  for (const a of actions) perService.set(a.service, (perService.get(a.service) ?? 0) + 1);
  lines.push(`actions in the last hour: ${actions.length}/${limits.maxActionsPerHour}`);
  for (const [service, count] of perService)
    lines.push(`  ${service}: ${count}/${limits.maxActionsPerServicePerHour}`);
  lines.push(...formatSilences(state?.silences, now));
  lines.push(...formatFlapping(state?.flapping, now, flappingLimits(limits)));
  return lines.join('\n');
}
