import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isTimeout } from '../../client/outcome';
import { parseJson, readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { decodePathSegment } from '../http/pathSegment';
import { sendJson } from '../http/respond';
import { parsePayload } from '../sources/normalize';
import { abortSchema as whoAndWhySchema, authenticateOperator, type OperatorContext } from './operator';

/**
 * The governor over HTTP, for chat-ops and runbooks: `GET /safety` (pause, breakers, leases, recent
 * actions), `POST /safety/pause`, `POST /safety/resume`, `POST /safety/breakers/<service>/reset`, each
 * with `{ by, reason }`. Same rules as the CLI: anyone with the operator token may pause; the governor
 * lets only approvers resume or reset a breaker, and says why when it refuses (409).
 */
const serviceSchema = z.string().trim().min(1).max(200);

function serviceOf(segment: string): string {
  return parsePayload(serviceSchema, decodePathSegment(segment, 'service'), 'service');
}

export async function handleSafety(
  path: string[],
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  authenticateOperator(req, ctx.config);
  const [, action, service, reset, ...rest] = path;
  const { operator } = ctx;
  const governorId = operator.governorId;

  if (action === undefined) {
    if (req.method !== 'GET')
      throw new HttpError(405, 'method_not_allowed', 'use GET', { headers: { allow: 'GET' } });
    const state = await operator.governor(); // null: nobody paused or acted yet
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

  const breaker = action === 'breakers' ? serviceOf(service!) : undefined;
  const answer = await (
    action === 'pause'
      ? operator.pause(who)
      : action === 'resume'
        ? operator.resume(who)
        : operator.resetBreaker({ ...who, service: breaker! })
  ).catch((err: unknown) => {
    if (isTimeout(err))
      throw new HttpError(504, 'no_answer', 'the governor did not answer in time (is the worker running?)');
    throw err;
  });
  if (!answer.ok) {
    throw new HttpError(
      409,
      'rejected',
      answer.reason === 'rejected'
        ? answer.message
        : action === 'resume'
          ? 'automation is not paused'
          : 'no circuit breaker is open',
    );
  }
  sendJson(res, 200, { governor: governorId, state: answer.value });
}
