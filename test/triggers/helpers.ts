import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AlertBatch } from '../../core/model/incident';
import type { WebhookConfigInput } from '../../core/model/webhookConfig';
import {
  startWebhookServer,
  type RunningWebhookServer,
  type WebhookServerOptions,
} from '../../triggers/server';
import { testServerAddress } from '../harness/env';

export interface WebhookTestContext {
  client: Client;
  taskQueue: string;
  server: RunningWebhookServer;
  url: string;
  logs: string[];
}

/**
 * Runs `fn` with a webhook server on a free loopback port, a client of the shared test Temporal server
 * and a fresh task queue. No worker: signalWithStart creates the incident workflow without one, and the
 * tests read what reached it from its history. The server and the connection are closed however `fn` ends.
 */
export async function withWebhookServer<T>(
  config: WebhookConfigInput,
  fn: (ctx: WebhookTestContext) => Promise<T>,
  opts: { connection?: Connection; snsHttpGet?: WebhookServerOptions['snsHttpGet'] } = {},
): Promise<T> {
  const connection = opts.connection ?? (await Connection.connect({ address: testServerAddress() }));
  try {
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = `webhook-test-${randomUUID()}`;
    const logs: string[] = [];
    const server = await startWebhookServer({
      client,
      taskQueue,
      config: { host: '127.0.0.1', port: 0, ...config },
      log: (msg) => logs.push(msg),
      ...(opts.snsHttpGet ? { snsHttpGet: opts.snsHttpGet } : {}),
    });
    try {
      return await fn({ client, taskQueue, server, url: server.url, logs });
    } finally {
      await server.close();
    }
  } finally {
    await connection.close();
  }
}

/** A service name no other test uses: incident workflow ids are global to the namespace. */
export const uniqueService = (prefix = 'svc'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The alert batches signalled to a workflow, in order, decoded from its history. */
export async function signalledBatches(client: Client, workflowId: string): Promise<AlertBatch[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a): a is NonNullable<typeof a> => Boolean(a) && a!.signalName === 'alert')
    .map((a) => defaultPayloadConverter.fromPayload<AlertBatch>(a.input!.payloads![0]!));
}

/** Polls until `fn` returns a value (not undefined); fails with the last error after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms (${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The ids of the workflows on a task queue, read once visibility has caught up. Visibility is eventually
 * consistent, so a bare count of 0 right after the requests proves nothing: a workflow started a moment
 * ago may not be listed yet. So a control workflow is started on the queue first (after every request
 * under test was answered), and the listing is read until it includes the control; what was started
 * before the control is listed by then. The control is not returned, and is terminated (no worker runs it).
 */
export async function workflowsOnQueueSettled(client: Client, taskQueue: string): Promise<string[]> {
  const control = await client.workflow.start('visibilityControl', {
    taskQueue,
    workflowId: `visibility-control-${randomUUID()}`,
  });
  try {
    const ids = await eventually(async () => {
      const listed: string[] = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue="${taskQueue}"` }))
        listed.push(wf.workflowId);
      return listed.includes(control.workflowId) ? listed : undefined;
    }, 60_000);
    return ids.filter((id) => id !== control.workflowId);
  } finally {
    await control.terminate('visibility control');
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  const raw = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    json = { raw };
  }
  return { status: res.status, json, headers: res.headers };
}

/** Whether a workflow with this id exists (describe is strongly consistent, unlike visibility counts). */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
