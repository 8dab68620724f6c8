import { incidentWorkflowId } from '../../core/model/alert';
import { startAlertmanager, type RunningAlertmanager } from './alertmanagerProcess';
import { eventually, signalledBatches, uniqueService, withWebhookServer } from './helpers';

const TOKEN = 'alertmanager-test-token-0123456789';

describe('a real Prometheus Alertmanager delivering to the webhook server', () => {
  it('starts an incident for a firing alert and delivers its resolution to the same workflow', async () => {
    await withWebhookServer({ alertmanager: { token: TOKEN } }, async ({ client, url }) => {
      let alertmanager: RunningAlertmanager | undefined;
      try {
        alertmanager = await startAlertmanager(`${url}/alerts/alertmanager`, TOKEN);
        const service = uniqueService('checkout');
        const workflowId = incidentWorkflowId(service);
        const startsAt = new Date(Date.now() - 60_000).toISOString();
        const alert = {
          labels: { alertname: 'HighErrorRate', service, severity: 'critical' },
          annotations: { summary: 'five per cent of requests fail' },
          startsAt,
        };
        const post = async (body: unknown): Promise<void> => {
          const res = await fetch(`${alertmanager!.url}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(200);
        };

        await post([alert]);
        const firing = await eventually(async () => {
          const batches = await signalledBatches(client, workflowId);
          return batches.length > 0 ? batches : undefined;
        });
        const description = await client.workflow.getHandle(workflowId).describe();
        expect(description.type).toBe('incidentWorkflow');
        const first = firing[0]!.alerts[0]!;
        expect(first).toMatchObject({
          source: 'alertmanager',
          service,
          name: 'HighErrorRate',
          severity: 'critical',
          status: 'firing',
          annotations: expect.objectContaining({ summary: 'five per cent of requests fail' }),
        });
        expect(first.fingerprint).toMatch(/^[0-9a-f]{16}$/);

        // endsAt in the past resolves the alert; with send_resolved Alertmanager tells us at the next group interval.
        await post([{ ...alert, endsAt: new Date(Date.now() - 1_000).toISOString() }]);
        const resolved = await eventually(async () => {
          const batches = await signalledBatches(client, workflowId);
          const found = batches.flatMap((b) => b.alerts).find((a) => a.status === 'resolved');
          return found;
        });
        expect(resolved).toMatchObject({ fingerprint: first.fingerprint, startsAt: first.startsAt, service });
        expect(resolved.endsAt).toBeDefined();
        // Same incident: the resolution joined the workflow the firing alert started.
        expect((await client.workflow.getHandle(workflowId).describe()).runId).toBe(description.runId);
      } finally {
        await alertmanager?.stop();
      }
    });
  });
});
