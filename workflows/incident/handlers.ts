import { setHandler } from '@temporalio/workflow';
import type {
  AbortRequest,
  ApprovalDecision,
  ApprovalRequest,
  AuditEntry,
} from '../../core/model/incidentState';
import {
  abortSignal,
  abortUpdate,
  alertSignal,
  approveSignal,
  approveUpdate,
  automationResumedSignal,
  rootClosedSignal,
  stateQuery,
  victimLinkedSignal,
} from '../api';
import { addVictim, rootClosed } from './correlation';
import { isTerminal, note, type IncidentRun } from './run';
import { appendAudit, applyAlerts } from './state';

/**
 * What the outside world may say to an incident: alerts, approvals and aborts (as validated updates and
 * as signals for the Temporal UI), the governor's resume, and the state query.
 */
export function registerHandlers(run: IncidentRun): void {
  const { state } = run;

  setHandler(alertSignal, (batch) => {
    const fresh = applyAlerts(state, batch, run.seenAlerts);
    if (fresh > 0) {
      const untracked = state.firingUntracked ? ` (+${state.firingUntracked} untracked)` : '';
      note(
        run,
        `${fresh} alert(s) received; firing: ${state.firingAlerts.length}${untracked}, resolved: ${state.resolvedAlerts.length}`,
      );
    }
  });
  setHandler(stateQuery, () => state);
  setHandler(automationResumedSignal, () => {
    run.resumed = true;
  });
  // Cross-service correlation (correlation.ts): the governor links victims to a root incident and tells
  // them when it ends.
  setHandler(victimLinkedSignal, (victim) => addVictim(run, victim));
  setHandler(rootClosedSignal, (closed) => rootClosed(run, closed));

  /** Why `by` may not decide now, or undefined when they may. Fails closed: no policy, no approvers → nobody. */
  const refusal = (kind: 'approve' | 'abort', by: string, reason: string): string | undefined => {
    if (isTerminal(run)) return `the incident is over (${state.phase})`;
    if (!by?.trim() || !reason?.trim()) return `${kind} needs both who (by) and why (reason)`;
    if (kind === 'approve' && state.phase !== 'awaiting-approval') {
      return `the incident is not awaiting approval (phase: ${state.phase})`;
    }
    if (!state.policy) return 'the incident has not loaded its approval policy yet; try again in a moment';
    if (!state.policy.approvers.includes(by)) return `${by} is not an approver for this incident`;
    return undefined;
  };
  const audit = (entry: Omit<AuditEntry, 'at'>): void => {
    appendAudit(state, { at: new Date().toISOString(), ...entry });
  };
  const acceptApproval = (req: ApprovalRequest, via: AuditEntry['via']): ApprovalDecision => {
    run.approval = req;
    state.fastPath ||= Boolean(req.fastPath);
    audit({ kind: 'approve', by: req.by, reason: req.reason, fastPath: Boolean(req.fastPath), via });
    note(
      run,
      `approved by ${req.by}${req.fastPath ? ' (fast path: bake times skipped)' : ''}: ${req.reason}`,
    );
    return { accepted: true, phase: state.phase, message: `approved by ${req.by}` };
  };
  const acceptAbort = (req: AbortRequest, via: AuditEntry['via']): ApprovalDecision => {
    const first = !run.abortion;
    run.abortion ??= req;
    audit({ kind: 'abort', by: req.by, reason: req.reason, via });
    note(run, `abort requested by ${req.by}: ${req.reason}`);
    // The action in flight stops now instead of running to its end; compensation then undoes it.
    if (first) run.actionInFlight?.cancel();
    return {
      accepted: true,
      phase: state.phase,
      message: `abort accepted from ${req.by}; completed steps will be undone`,
    };
  };
  const rejectSignal = (
    kind: 'approve' | 'abort',
    req: { by: string; reason: string },
    why: string,
  ): void => {
    audit({ kind: 'reject', by: req.by ?? '', reason: `${kind} refused: ${why}`, via: 'signal' });
    note(run, `${kind} from ${req.by} refused: ${why}`);
  };

  setHandler(approveUpdate, (req) => acceptApproval(req, 'update'), {
    validator: (req) => {
      const why = refusal('approve', req.by, req.reason);
      if (why) throw new Error(why);
    },
  });
  setHandler(abortUpdate, (req) => acceptAbort(req, 'update'), {
    validator: (req) => {
      const why = refusal('abort', req.by, req.reason);
      if (why) throw new Error(why);
    },
  });
  setHandler(approveSignal, (req) => {
    const why = refusal('approve', req.by, req.reason);
    if (why) rejectSignal('approve', req, why);
    else acceptApproval(req, 'signal');
  });
  setHandler(abortSignal, (req) => {
    const why = refusal('abort', req.by, req.reason);
    if (why) rejectSignal('abort', req, why);
    else acceptAbort(req, 'signal');
  });
}
