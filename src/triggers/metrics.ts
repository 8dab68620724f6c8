import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The webhook server's own Prometheus metrics, on a registry per server (tests run several in one
 * process). Incidents by outcome are the worker's to report: it sets HomeostatOutcome as each closes.
 */
export class WebhookMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'homeostat_webhook_requests_total',
    help: 'Webhook requests by source and HTTP status',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'homeostat_webhook_alerts_total',
    help: 'Alerts received by source and result (signalled, ignored: resolution of no open incident, duplicate)',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly intakeSeconds = new Histogram({
    name: 'homeostat_webhook_intake_seconds',
    help: 'Time from a request arriving to Temporal accepting its signals',
    labelNames: ['source'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly intakeFailures = new Counter({
    name: 'homeostat_webhook_intake_failures_total',
    help: 'Deliveries answered 503 because Temporal did not accept them in time',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
}
