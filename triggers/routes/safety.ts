import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { updateGovernor } from '../../activities/governor';
import { governorWorkflowId, type GovernorState } from '../../core/model/governor';
import { governorQuery, pauseUpdate, resetBreakerUpdate, resumeUpdate } from '../../workflows/governorApi';
import { parseJson, readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { sendJson } from '../http/respond';
import { parsePayload } from '../sources/normalize';
import {
  abortSchema as whoAndWhySchema,
  authenticateOperator,
  isTimeout,
  type OperatorContext,
} from './operator';

/**
 * The governor over HTTP, for chat-ops and runbooks: `GET /safety` (pause, breakers, leases, recent
 * actions), `POST /safety/pause`, `POST /safety/resume`, `POST /safety/breakers/<service>/reset`, each
 * with `{ by, reason }`. Same rules as the CLI: anyone with the operator token may pause; the governor
 * lets only approvers resume or reset a breaker, and says why when it refuses (409).
 */
const serviceSchema = z.string().trim().min(1).max(200);

export async function handleSafety(
  path: string[],
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  authenticateOperator(req, ctx.config);
  const [, action, service, reset, ...rest] = path;
  const governorId = governorWorkflowId(ctx.taskQueue);
  const withDeadline = <T>(fn: () => Promise<T>): Promise<T> =>
    ctx.client.withDeadline(Date.now() + ctx.config.operatorTimeoutMs, fn);

  if (action === undefined) {
    if (req.method !== 'GET')
      throw new HttpError(405, 'method_not_allowed', 'use GET', { headers: { allow: 'GET' } });
    const state = await withDeadline(() =>
      ctx.client.workflow.getHandle(governorId).query(governorQuery),
    ).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null; // nobody paused or acted yet
      throw err;
    });
    return sendJson(res, 200, { governor: governorId, state });
  }

  const known =
    ((action === 'pause' || action === 'resume') && service === undefined) ||
    (action === 'breakers' && service !== undefined && reset === 'reset' && rest.length === 0);
  if (!known) throw new HttpError(404, 'not_found', 'no such endpoint');
  if (req.method !== 'POST')
    throw new HttpError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  requireMediaType(req, ['application/json']);
  const who = parsePayload(whoAndWhySchema, parseJson(await readBody(req, 64 * 1024)));

  let state: GovernorState;
  try {
    if (action === 'pause') {
      state = await withDeadline(() => updateGovernor(ctx.client, ctx.taskQueue, pauseUpdate, who));
    } else if (action === 'resume') {
      state = await withDeadline(() =>
        ctx.client.workflow.getHandle(governorId).executeUpdate(resumeUpdate, { args: [who] }),
      );
    } else {
      let decoded: string;
      try {
        decoded = decodeURIComponent(service!);
      } catch {
        throw new HttpError(400, 'invalid_request', 'service is not valid URL encoding', {
          field: 'service',
        });
      }
      const name = parsePayload(serviceSchema, decoded, 'service');
      state = await withDeadline(() =>
        ctx.client.workflow
          .getHandle(governorId)
          .executeUpdate(resetBreakerUpdate, { args: [{ ...who, service: name }] }),
      );
    }
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new HttpError(409, 'rejected', err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(
        409,
        'rejected',
        action === 'resume' ? 'automation is not paused' : 'no circuit breaker is open',
      );
    if (isTimeout(err))
      throw new HttpError(504, 'no_answer', 'the governor did not answer in time (is the worker running?)');
    throw err;
  }
  sendJson(res, 200, { governor: governorId, state });
}
