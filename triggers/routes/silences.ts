import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isTimeout } from '../../client/outcome';
import { MAX_SILENCE_SECONDS, parseDuration } from '../../core/model/silence';
import { parseJson, readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { decodePathSegment } from '../http/pathSegment';
import { sendJson } from '../http/respond';
import { parsePayload } from '../sources/normalize';
import { abortSchema as whoAndWhySchema, authenticateOperator, type OperatorContext } from './operator';

/**
 * Silences over HTTP, beside the governor's other routes and with their rules (the operator token;
 * 4xx naming the wrong field; the governor's refusals as 409):
 * - `GET /safety/silences`: the active silences;
 * - `POST /safety/silences` `{ service, failureClass?, for: "2h" | durationSeconds, by, reason }`:
 *   anyone with the token may silence (it stops actions);
 * - `POST /safety/silences/<id|service>/lift` `{ by, reason }`: approvers only.
 */
const silenceSchema = z
  .strictObject({
    service: z.string().trim().min(1).max(200),
    failureClass: z.string().trim().min(1).max(100).optional(),
    /** A duration such as "30m", "2h", "1d" … */
    for: z
      .string()
      .refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 30m, 2h or 1d')
      .optional(),
    /** … or seconds. */
    durationSeconds: z.number().int().positive().optional(),
    by: z.string().trim().min(1).max(200),
    reason: z.string().trim().min(1).max(2000),
  })
  .refine((s) => (s.for === undefined) !== (s.durationSeconds === undefined), {
    message: 'give exactly one of for (e.g. "2h") and durationSeconds',
    path: ['for'],
  })
  .refine((s) => (s.durationSeconds ?? parseDuration(s.for ?? '') ?? 0) <= MAX_SILENCE_SECONDS, {
    message: `at most ${MAX_SILENCE_SECONDS} seconds (7 days)`,
    path: ['for'],
  });

const noAnswer = (err: unknown): never => {
  if (isTimeout(err))
    throw new HttpError(504, 'no_answer', 'the governor did not answer in time (is the worker running?)');
  throw err;
};

/** Handles `/safety/silences[/<id|service>/lift]`; `path` starts at `safety`. */
export async function handleSilences(
  path: string[],
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  authenticateOperator(req, ctx.config);
  const [, , target, lift, ...rest] = path;
  const { operator } = ctx;
  if (target === undefined) {
    if (req.method === 'GET')
      return sendJson(res, 200, { governor: operator.governorId, silences: await operator.silences() });
    if (req.method !== 'POST')
      throw new HttpError(405, 'method_not_allowed', 'use GET or POST', { headers: { allow: 'GET, POST' } });
    requireMediaType(req, ['application/json']);
    const body = parsePayload(silenceSchema, parseJson(await readBody(req, 64 * 1024)));
    const answer = await operator
      .silence({
        service: body.service,
        durationSeconds: body.durationSeconds ?? parseDuration(body.for!)!,
        by: body.by,
        reason: body.reason,
        ...(body.failureClass ? { failureClass: body.failureClass } : {}),
      })
      .catch(noAnswer);
    if (!answer.ok) throw new HttpError(409, 'rejected', answer.message);
    return sendJson(res, 201, { governor: operator.governorId, silence: answer.value });
  }
  if (lift !== 'lift' || rest.length > 0) throw new HttpError(404, 'not_found', 'no such endpoint');
  if (req.method !== 'POST')
    throw new HttpError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  const named = decodePathSegment(target, 'target', 'silence id or service').trim();
  if (!named || named.length > 200)
    throw new HttpError(400, 'invalid_request', 'the silence id or service is empty or too long', {
      field: 'target',
    });
  requireMediaType(req, ['application/json']);
  const who = parsePayload(whoAndWhySchema, parseJson(await readBody(req, 64 * 1024)));
  const answer = await operator.unsilence({ ...who, target: named }).catch(noAnswer);
  if (!answer.ok)
    throw new HttpError(
      answer.reason === 'not-found' ? 404 : 409,
      answer.reason === 'not-found' ? 'not_found' : 'rejected',
      answer.reason === 'not-found' ? `no active silence ${named}` : answer.message,
    );
  sendJson(res, 200, { governor: operator.governorId, lifted: answer.value });
}
