import { createHash } from 'node:crypto';
import type { Alert } from '../../core/model/alert';
import type { SignalProvider } from '../../providers/types';
import { DEFAULT_RULES, step, type AlertRule, type RuleState } from './rules';

export interface MonitorOptions {
  signals: SignalProvider;
  services: string[];
  /** Delivers alerts (the intake); an error is logged and the alerts are sent again next round. */
  deliver: (alerts: Alert[]) => Promise<void>;
  rules?: AlertRule[];
  intervalSeconds?: number;
  /** Firing alerts are re-sent this often, as Alertmanager re-sends groups; the incident drops repeats. */
  repeatSeconds?: number;
  log?: (msg: string) => void;
}

export interface RunningMonitor {
  stop(): Promise<void>;
}

const fingerprint = (service: string, rule: string): string =>
  createHash('sha256').update(`${service}\0${rule}`).digest('hex').slice(0, 16);

/** Watches service-wide metrics and fires/resolves alerts the way Alertmanager would deliver them. */
export function startMonitor(opts: MonitorOptions): RunningMonitor {
  const rules = opts.rules ?? DEFAULT_RULES;
  const states = new Map<string, RuleState>();
  const lastSent = new Map<string, number>();
  const interval = (opts.intervalSeconds ?? 2) * 1000;
  const repeat = (opts.repeatSeconds ?? 30) * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const evaluate = async (): Promise<void> => {
    const now = Date.now();
    const outgoing: Alert[] = [];
    for (const service of opts.services) {
      const window = Math.max(...rules.map((r) => r.windowSeconds));
      let series;
      try {
        series = await opts.signals.series({
          service,
          metrics: [...new Set(rules.map((r) => r.metric))],
          from: new Date(now - window * 1000),
          to: new Date(now),
          stepSeconds: 1,
        });
      } catch (err) {
        opts.log?.(`monitor: cannot read ${service} (${(err as Error).message})`);
        continue;
      }
      for (const rule of rules) {
        const s = series.find((x) => x.metric === rule.metric && Object.keys(x.labels).length === 0);
        const recent = (s?.points ?? [])
          .filter(([t]) => t >= now - rule.windowSeconds * 1000)
          .map(([, v]) => v);
        const value = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
        const key = `${service}/${rule.name}`;
        const before = states.get(key) ?? { phase: 'inactive' };
        const { state, event } = step(rule, before, value, now);
        states.set(key, state);
        const startsAt = new Date(
          state.phase === 'firing' ? state.since : before.phase === 'firing' ? before.since : now,
        );
        const alert = (status: Alert['status']): Alert => ({
          source: 'monitor',
          fingerprint: fingerprint(service, rule.name),
          service,
          name: rule.name,
          severity: rule.severity,
          status,
          labels: { alertname: rule.name, service },
          annotations: { summary: rule.summary, value: String(Math.round(value * 1000) / 1000) },
          startsAt: startsAt.toISOString(),
          ...(status === 'resolved' ? { endsAt: new Date(now).toISOString() } : {}),
        });
        if (event === 'fired' || (state.phase === 'firing' && now - (lastSent.get(key) ?? 0) >= repeat)) {
          if (event === 'fired')
            opts.log?.(`monitor: ${rule.name} firing on ${service} (${rule.metric}=${value.toFixed(3)})`);
          outgoing.push(alert('firing'));
          lastSent.set(key, now);
        } else if (event === 'resolved') {
          opts.log?.(`monitor: ${rule.name} resolved on ${service}`);
          outgoing.push(alert('resolved'));
          lastSent.delete(key);
        }
      }
    }
    if (outgoing.length > 0) {
      try {
        await opts.deliver(outgoing);
      } catch (err) {
        opts.log?.(`monitor: delivery failed, will retry (${(err as Error).message})`);
        for (const a of outgoing) lastSent.delete(`${a.service}/${a.name}`);
      }
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = evaluate().finally(() => {
      if (!stopped) timer = setTimeout(loop, interval);
    });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
