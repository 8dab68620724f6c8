import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The span around an intake: the root of an incident's trace. It uses the global OpenTelemetry API, so
 * with tracing off (no provider registered, workers/telemetryTracing.ts) it is a no-op that records
 * nothing. The Temporal client interceptor carries it into the signal-with-start headers, and from there
 * into the workflow and its activities.
 */
export async function tracedIntake<T extends Array<{ workflowId: string }>>(
  alerts: number,
  fn: () => Promise<T>,
): Promise<T> {
  return await trace
    .getTracer('homeostat')
    .startActiveSpan(
      'homeostat.intake',
      { kind: SpanKind.SERVER, attributes: { 'homeostat.alerts': alerts } },
      async (span) => {
        try {
          const results = await fn();
          span.setAttribute(
            'homeostat.workflow_ids',
            results.map((r) => r.workflowId),
          );
          return results;
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
}
