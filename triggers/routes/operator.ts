import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { toWorkflowId } from '../../client/incidentId';
import type { IncidentSummary, Operator } from '../../client/operator';
import { isTimeout } from '../../client/outcome';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { verifyBearerOrBasic } from '../auth/bearer';
import { parseJson, readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { decodePathSegment } from '../http/pathSegment';
import { sendJson } from '../http/respond';
import { parsePayload } from '../sources/normalize';

/**
 * Operator endpoints: HTTP in front of the operator facade (client/operator.ts, which the CLI uses
 * too), authenticated with the operator bearer token. The workflow decides; these only translate HTTP
 * to the facade's calls and its answers back to HTTP.
 */
export interface OperatorContext {
  /** Bound to this server's task queue, every call within `config.operatorTimeoutMs`. */
  operator: Operator;
  config: WebhookConfig;
}

export const approvalSchema = z.strictObject({
  by: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(2000),
  fastPath: z.boolean().optional(),
});
export const abortSchema = approvalSchema.omit({ fastPath: true });

/** `/incidents/<id>` takes a workflow id (`incident:checkout`, URL-encoded) or just the incident key. */
function workflowIdOf(segment: string): string {
  const id = decodePathSegment(segment, 'id', 'incident id');
  if (!id || id.length > 300)
    throw new HttpError(400, 'invalid_request', 'incident id is empty or too long', { field: 'id' });
  return toWorkflowId(id);
}

export function authenticateOperator(req: IncomingMessage, config: WebhookConfig): void {
  if (!config.operatorToken)
    throw new HttpError(
      403,
      'operator_disabled',
      'operator endpoints are disabled: set HOMEOSTAT_OPERATOR_TOKEN',
    );
  verifyBearerOrBasic(req.headers, { token: config.operatorToken });
}

export async function handleOperator(
  path: string[],
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  authenticateOperator(req, ctx.config);
  const [, idSegment, action, ...rest] = path;
  if (rest.length > 0) throw new HttpError(404, 'not_found', 'no such endpoint');

  if (idSegment === undefined) {
    if (req.method !== 'GET')
      throw new HttpError(405, 'method_not_allowed', 'use GET', { headers: { allow: 'GET' } });
    await listIncidents(req, res, ctx);
    return;
  }
  const workflowId = workflowIdOf(idSegment);
  if (action === undefined) {
    if (req.method !== 'GET')
      throw new HttpError(405, 'method_not_allowed', 'use GET', { headers: { allow: 'GET' } });
    await describeIncident(workflowId, res, ctx);
    return;
  }
  if (action !== 'approve' && action !== 'abort') throw new HttpError(404, 'not_found', 'no such endpoint');
  if (req.method !== 'POST')
    throw new HttpError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  await decide(action, workflowId, req, res, ctx);
}

async function listIncidents(req: IncomingMessage, res: ServerResponse, ctx: OperatorContext): Promise<void> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const limitText = params.get('limit') ?? '100';
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000)
    throw new HttpError(400, 'invalid_request', 'limit must be 1..1000', { field: 'limit' });
  const status = params.get('status');
  if (status !== null && status !== 'open' && status !== 'closed')
    throw new HttpError(400, 'invalid_request', 'status must be "open" or "closed"', { field: 'status' });
  // Only this server's task queue: the incidents it started, not another deployment's sharing a namespace.
  const incidents = await ctx.operator.list({
    scope: 'task-queue',
    limit: Number(limitText),
    ...(status === null ? {} : { status }),
  });
  sendJson(res, 200, { incidents });
}

async function describeIncident(
  workflowId: string,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  const summary = await describeOr404(workflowId, ctx);
  let state: unknown = null;
  let stateError: string | undefined;
  try {
    const answer = await ctx.operator.state(workflowId);
    if (answer.ok) state = answer.value;
    else stateError = answer.message;
  } catch (err) {
    // The description is still worth showing when no worker answers the query (e.g. the worker is down).
    stateError = isTimeout(err) ? 'no worker answered the state query in time' : (err as Error).message;
  }
  sendJson(res, 200, { ...summary, state, ...(stateError ? { stateError } : {}) });
}

async function describeOr404(workflowId: string, ctx: OperatorContext): Promise<IncidentSummary> {
  const described = await ctx.operator.describe(workflowId);
  if (!described.ok) throw new HttpError(404, 'incident_not_found', `no incident ${workflowId}`);
  return described.value;
}

async function decide(
  action: 'approve' | 'abort',
  workflowId: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  requireMediaType(req, ['application/json']);
  const json = parseJson(await readBody(req, 64 * 1024));
  const request = action === 'approve' ? parsePayload(approvalSchema, json) : parsePayload(abortSchema, json);
  const summary = await describeOr404(workflowId, ctx);
  if (summary.status !== 'RUNNING')
    throw new HttpError(409, 'incident_closed', `incident ${workflowId} is ${summary.status.toLowerCase()}`);

  const idempotencyKey = req.headers['idempotency-key'];
  const updateId =
    typeof idempotencyKey === 'string' && idempotencyKey.length <= 200 ? idempotencyKey : undefined;
  const decision = await (
    action === 'approve'
      ? ctx.operator.approve(workflowId, request, updateId)
      : ctx.operator.abort(workflowId, request, updateId)
  ).catch((err: unknown) => {
    if (isTimeout(err))
      throw new HttpError(
        504,
        'no_answer',
        `incident ${workflowId} did not answer in time (is the worker running?)`,
      );
    throw err;
  });
  if (!decision.ok) {
    if (decision.reason === 'not-found')
      throw new HttpError(404, 'incident_not_found', `no incident ${workflowId}`);
    throw new HttpError(409, 'rejected', decision.message);
  }
  sendJson(res, decision.value.accepted ? 200 : 409, { id: workflowId, ...decision.value });
}
