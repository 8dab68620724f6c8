import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { z } from 'zod';
import { incidentWorkflowId } from '../../core/model/alert';
import { INCIDENT_WORKFLOW_TYPE } from '../../core/model/incident';
import type { WebhookConfig } from '../../core/model/webhookConfig';
import { abortUpdate, approveUpdate, stateQuery } from '../../workflows/api';
import { verifyBearerOrBasic } from '../auth/bearer';
import { parseJson, readBody, requireMediaType } from '../http/body';
import { HttpError } from '../http/errors';
import { sendJson } from '../http/respond';
import { parsePayload } from '../sources/normalize';

/**
 * Operator endpoints: thin wrappers over the incident's update and query definitions, authenticated
 * with the operator bearer token. The workflow decides; these only translate HTTP to Temporal and back.
 */
export interface OperatorContext {
  client: Client;
  taskQueue: string;
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
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', 'incident id is not valid URL encoding', { field: 'id' });
  }
  if (!id || id.length > 300)
    throw new HttpError(400, 'invalid_request', 'incident id is empty or too long', { field: 'id' });
  return id.startsWith('incident:') ? id : incidentWorkflowId(id);
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

type ExecutionSummary = Omit<WorkflowExecutionInfo, 'raw'>;

function searchAttributesOf(info: ExecutionSummary): Record<string, unknown> {
  return Object.fromEntries(info.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
}

function summaryOf(info: ExecutionSummary): Record<string, unknown> {
  return {
    id: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    taskQueue: info.taskQueue,
    startTime: info.startTime.toISOString(),
    ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
    historyLength: info.historyLength,
    searchAttributes: searchAttributesOf(info),
  };
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
  let query = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}" AND TaskQueue="${ctx.taskQueue.replace(/["\\]/g, '')}"`;
  if (status === 'open') query += ' AND ExecutionStatus="Running"';
  if (status === 'closed') query += ' AND ExecutionStatus!="Running"';

  const incidents: Record<string, unknown>[] = [];
  await ctx.client.withDeadline(Date.now() + ctx.config.operatorTimeoutMs, async () => {
    for await (const info of ctx.client.workflow.list({
      query,
      pageSize: Math.min(Number(limitText), 1000),
    })) {
      incidents.push(summaryOf(info));
      if (incidents.length >= Number(limitText)) break;
    }
  });
  sendJson(res, 200, { incidents });
}

async function describeIncident(
  workflowId: string,
  res: ServerResponse,
  ctx: OperatorContext,
): Promise<void> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  const info = await describeOr404(workflowId, ctx);
  let state: unknown = null;
  let stateError: string | undefined;
  try {
    state = await ctx.client.withDeadline(Date.now() + ctx.config.operatorTimeoutMs, () =>
      handle.query(stateQuery),
    );
  } catch (err) {
    // The description is still worth showing when no worker answers the query (e.g. the worker is down).
    stateError = isTimeout(err) ? 'no worker answered the state query in time' : (err as Error).message;
  }
  sendJson(res, 200, { ...summaryOf(info), state, ...(stateError ? { stateError } : {}) });
}

async function describeOr404(workflowId: string, ctx: OperatorContext): Promise<ExecutionSummary> {
  try {
    return await ctx.client.withDeadline(Date.now() + ctx.config.operatorTimeoutMs, () =>
      ctx.client.workflow.getHandle(workflowId).describe(),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'incident_not_found', `no incident ${workflowId}`);
    throw err;
  }
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
  const info = await describeOr404(workflowId, ctx);
  if (info.status.name !== 'RUNNING')
    throw new HttpError(
      409,
      'incident_closed',
      `incident ${workflowId} is ${info.status.name.toLowerCase()}`,
    );

  const handle = ctx.client.workflow.getHandle(workflowId);
  const idempotencyKey = req.headers['idempotency-key'];
  const updateId =
    typeof idempotencyKey === 'string' && idempotencyKey.length <= 200 ? idempotencyKey : undefined;
  try {
    const decision = await ctx.client.withDeadline(Date.now() + ctx.config.operatorTimeoutMs, () =>
      action === 'approve'
        ? handle.executeUpdate(approveUpdate, { args: [request], ...(updateId ? { updateId } : {}) })
        : handle.executeUpdate(abortUpdate, { args: [request], ...(updateId ? { updateId } : {}) }),
    );
    sendJson(res, decision.accepted ? 200 : 409, { id: workflowId, ...decision });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new HttpError(409, 'rejected', err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'incident_not_found', `no incident ${workflowId}`);
    if (isTimeout(err))
      throw new HttpError(
        504,
        'no_answer',
        `incident ${workflowId} did not answer in time (is the worker running?)`,
      );
    throw err;
  }
}
