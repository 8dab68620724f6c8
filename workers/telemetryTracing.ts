import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { otlpTracesUrl, type TracingConfig } from '../core/model/telemetryConfig';

/**
 * OpenTelemetry tracing through Temporal's interceptors, off unless configured. One trace runs from the
 * webhook's intake span (triggers/tracing.ts) through the client's signal-with-start (its interceptor puts
 * the context in the headers) into the incident workflow (RunWorkflow, StartActivity spans, made in the
 * workflow sandbox and exported through a sink) and each activity (RunActivity).
 */

/** The workflow-side interceptors; they must be bundled with the workflows (bundleWorkflowCode). */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  tracer: Tracer;
  /** For every Client that starts or signals workflows (the webhook's, the worker's own). */
  clientInterceptors: ClientInterceptors;
  /** Merged into Worker.create: the activity interceptors, the bundle's module and the span sink. */
  worker: Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** Flushes the spans still buffered, then stops; the global tracer reverts to a no-op. */
  shutdown(): Promise<void>;
}

/**
 * Installs a tracer provider as the global one (the intake span uses the global API) with an OTLP/HTTP
 * exporter, or with `spanProcessor` when a test brings its own. Undefined when tracing is disabled:
 * then nothing is registered and every span the code asks for is a no-op.
 */
export function startTracing(
  cfg: TracingConfig,
  opts: { spanProcessor?: SpanProcessor } = {},
): Tracing | undefined {
  if (!cfg.enabled) return undefined;
  const resource = new Resource({ 'service.name': cfg.serviceName });
  const spanProcessor =
    opts.spanProcessor ??
    new BatchSpanProcessor(
      new OTLPTraceExporter(cfg.otlpEndpoint ? { url: otlpTracesUrl(cfg.otlpEndpoint) } : {}),
    );
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Async-local context, so a span started around the intake is the parent the client interceptor sees.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  const tracer = provider.getTracer('homeostat');
  const options = { tracer };
  return {
    tracer,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor(options)] },
    worker: {
      interceptors: {
        workflowModules: [WORKFLOW_TRACING_MODULE],
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    },
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
