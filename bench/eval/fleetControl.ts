import { randomUUID } from 'node:crypto';
import { FleetControlClient } from '../../providers/local/controlClient';
import { ProviderError } from '../../providers/types';

/** The eval's hands on the local fleet: reset, faults, deploys, calm, and Homeostat's actions in the ledger. */

interface ActionReply {
  action?: { id: string; status: string; error?: string; at: string; kind: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EvalFleet {
  private readonly control: FleetControlClient;

  constructor(readonly controlUrl: string) {
    this.control = new FleetControlClient(controlUrl);
  }

  /** Runs a mutation and waits until the fleet reports it finished; throws if it failed. */
  private async act(path: string, body: Record<string, unknown>): Promise<void> {
    const actionId = `eval-${randomUUID()}`;
    let reply = await this.control.post<ActionReply>(`${path}?waitMs=20000`, { actionId, ...body });
    const deadline = Date.now() + 120_000;
    while (reply.action?.status === 'running' && Date.now() < deadline) {
      await sleep(500);
      reply = await this.control.get<ActionReply>(`/actions/${encodeURIComponent(actionId)}`);
    }
    if (reply.action?.status === 'failed') throw new Error(`${path}: ${reply.action.error ?? 'failed'}`);
  }

  reset(): Promise<void> {
    return this.act('/reset', { by: 'eval' });
  }

  inject(service: string, scenario: string): Promise<void> {
    return this.act(`/services/${service}/faults`, { scenario, by: 'eval' });
  }

  /** Ends a fault without healing it; a release cannot be un-injected (409), which is no error here. */
  async clear(service: string, scenario: string): Promise<void> {
    try {
      await this.act(`/services/${service}/faults/clear`, { scenario });
    } catch (err) {
      if (!(err instanceof ProviderError && err.code === 'conflict')) throw err;
    }
  }

  deploy(service: string, behaviour: { errorRatio: number; latencyMs: number }): Promise<void> {
    return this.act(`/services/${service}/deploy`, {
      release: `eval-${Date.now().toString(36)}`,
      by: 'eval-human',
      behaviour,
    });
  }

  async services(): Promise<string[]> {
    const state = await this.control.get<{ services: Record<string, unknown> }>('/state');
    return Object.keys(state.services);
  }

  /** Mean of a service-wide metric over the last `seconds`. */
  async recentMean(service: string, metric: string, seconds: number): Promise<number> {
    const to = Date.now();
    const { series } = await this.control.get<{
      series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
    }>(`/services/${service}/series?metrics=${metric}&from=${to - seconds * 1000}&to=${to}`);
    const points = series.find((s) => Object.keys(s.labels).length === 0)?.points ?? [];
    return points.length ? points.reduce((a, [, v]) => a + v, 0) / points.length : NaN;
  }

  /** Waits until every service serves without errors for a few seconds. */
  async waitCalm(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const services = await this.services();
    while (Date.now() < deadline) {
      const ratios = await Promise.all(services.map((s) => this.recentMean(s, 'error_ratio', 5)));
      if (ratios.every((r) => r < 0.01)) return;
      await sleep(1000);
    }
    throw new Error('the fleet did not calm down within two minutes of its reset');
  }

  /** Actions someone other than the eval (Homeostat) applied on the fleet since `since`. */
  async actionsSince(since: number): Promise<Array<{ id: string; kind: string; service: string }>> {
    const { actions } = await this.control.get<{
      actions: Array<{ id: string; kind: string; service: string; at: string; status: string }>;
    }>('/actions?limit=1000');
    return actions.filter(
      (a) => Date.parse(a.at) >= since && !a.id.startsWith('eval-') && a.status !== 'failed',
    );
  }
}
