// The incident workflow, one idea per module: workflow (entry), run (state of a run), handlers
// (signals, updates, query), gates (waits: triage, bake, pause, approval, permits), lifecycle
// (gather → diagnose → plan → approve → remediate → verify), remediation (steps), compensation
// (undo in reverse), closing (outcome, permits, record), continuation (continue-as-new), state (pure).
export { incidentWorkflow } from './workflow';
