import type { SliceKind } from '../../core/model/prometheusConfig';
import { ProviderError } from '../types';

/**
 * PromQL templates. Placeholders:
 * - `$service`  the Homeostat service name, escaped for a PromQL string (`job="$service"`);
 * - `$selector` the service's label matcher, `<service label>="<service>"` (`x{$selector,code="500"}`);
 * - `$by`       the slice's label for `sum by ($by)` / `max by ($by)`: empty for the service-wide
 *               series, so the aggregation folds everything into one;
 * - `$window`   the range for rate()/increase(): the configured rate window, or the step if longer;
 * - `$step`     the query step.
 * Any other `$name` is a mistake, reported with the metric and the template.
 */
export const PLACEHOLDERS = ['service', 'selector', 'by', 'window', 'step'] as const;

export interface TemplateValues {
  service: string;
  serviceLabel: string;
  /** The slice being asked for; undefined for the service-wide series. */
  slice?: { kind: SliceKind; label: string };
  windowSeconds: number;
  stepSeconds: number;
}

/** A PromQL double-quoted string's content: backslashes and quotes escaped, newlines spelled out. */
export function promqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Seconds as a PromQL duration (`15s`); fractions in milliseconds (`1500ms`). */
export function duration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function badQuery(metric: string, template: string, why: string): ProviderError {
  return new ProviderError(
    `Prometheus query for metric ${metric} is invalid: ${why}; query: ${template}`,
    'bad_query',
    false,
  );
}

/** The template with its placeholders filled in; throws a non-retryable ProviderError naming the metric. */
export function renderTemplate(metric: string, template: string, values: TemplateValues): string {
  if (values.slice && !/\$by\b/.test(template))
    throw badQuery(metric, template, `it is split by ${values.slice.kind} but has no $by to group by`);
  const filled: Record<(typeof PLACEHOLDERS)[number], string> = {
    service: promqlString(values.service),
    selector: `${values.serviceLabel}="${promqlString(values.service)}"`,
    by: values.slice?.label ?? '',
    window: duration(values.windowSeconds),
    step: duration(values.stepSeconds),
  };
  return template.replace(/\$([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!(name in filled))
      throw badQuery(
        metric,
        template,
        `unknown placeholder $${name} (known: ${PLACEHOLDERS.map((p) => `$${p}`).join(', ')})`,
      );
    return filled[name as keyof typeof filled];
  });
}
