import type { Alert, Severity } from './alert';

/** Start arguments of an incident workflow: what the first alert said, nothing that changes later. */
export interface IncidentInput {
  key: string;
  service: string;
  severity: Severity;
  title: string;
  openedAt: string;
}

/** One delivery of alerts to an incident (a webhook request coalesces all its alerts for one incident). */
export interface AlertBatch {
  alerts: Alert[];
  receivedAt: string;
  /** The source's delivery id, where it has one (kept for the audit trail). */
  deliveryId?: string;
}

export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';
