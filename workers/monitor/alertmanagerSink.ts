import type { Alert } from '../../core/model/alert';

/**
 * Delivers alerts the way Prometheus Alertmanager does: a webhook v4 payload (one group per service and
 * status) POSTed with a bearer token. The demo's monitor uses it, so its alerts take the same
 * authenticated path into Homeostat as a real Alertmanager's.
 */
export function alertmanagerSink(url: string, token: string): (alerts: Alert[]) => Promise<void> {
  return async (alerts) => {
    const groups = new Map<string, Alert[]>();
    for (const a of alerts)
      groups.set(`${a.service}|${a.status}`, [...(groups.get(`${a.service}|${a.status}`) ?? []), a]);
    for (const [key, group] of groups) {
      const [service, status] = key.split('|') as [string, Alert['status']];
      const body = {
        version: '4',
        status,
        receiver: 'homeostat',
        groupKey: `{}:{service="${service}"}`,
        truncatedAlerts: 0,
        groupLabels: { service },
        commonLabels: { service },
        commonAnnotations: {},
        externalURL: 'http://homeostat-monitor',
        alerts: group.map((a) => ({
          status: a.status,
          labels: { ...a.labels, alertname: a.name, service: a.service, severity: a.severity },
          annotations: a.annotations,
          startsAt: a.startsAt,
          endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: a.fingerprint,
        })),
      };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    }
  };
}
