import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';

/**
 * What an operator call can be told by Temporal or the workflow, besides yes: the incident (or the
 * governor) does not exist, or the workflow refused the request and said why. These are answers, not
 * failures, so the facade returns them and each front end (CLI, HTTP) words them its own way.
 * Everything else — Temporal unreachable, a deadline run out — is thrown as it came.
 */
export type Refusal = { ok: false; reason: 'not-found' | 'rejected'; message: string };
export type Outcome<T> = { ok: true; value: T } | Refusal;

/** Runs one call and turns the two answers above into a Refusal; rethrows the rest. */
export async function outcomeOf<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ok: false, reason: 'not-found', message: err.message };
    // The workflow's validator or handler said no; its reason is the cause's message.
    if (err instanceof WorkflowUpdateFailedError)
      return { ok: false, reason: 'rejected', message: err.cause?.message ?? err.message };
    throw err;
  }
}

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;

/** A deadline ran out: the workflow exists but no worker answered in time. */
export function isTimeout(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED;
}
