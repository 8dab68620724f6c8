import { incidentWorkflowId } from '../core/model/alert';

/** Accepts a workflow id (`incident:checkout`) or an incident key (`checkout`, `checkout/cell-a`). */
export function toWorkflowId(arg: string): string {
  return arg.startsWith('incident:') ? arg : incidentWorkflowId(arg);
}
