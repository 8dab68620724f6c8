import type { ActionResult, FleetState, LedgerEntry } from './fleetModel';

/** How many ledger entries the state keeps; older ones fall off (ids older than that are forgotten). */
const LEDGER_LIMIT = 2_000;

/**
 * The action ledger: every mutating call is recorded under its action id before it acts, so the same id
 * applied twice returns the first entry instead of acting again — even across control-process restarts.
 */
export class ActionLedger {
  constructor(
    private readonly state: FleetState,
    private readonly persist: () => void,
  ) {}

  get(id: string): LedgerEntry | undefined {
    return this.state.ledger.find((e) => e.id === id);
  }

  recent(limit: number): LedgerEntry[] {
    return this.state.ledger.slice(-limit);
  }

  /** Records a new running action (the caller has checked the id is new) and persists it before it acts. */
  begin(id: string, kind: string, service: string, params: Record<string, unknown>): { entry: LedgerEntry } {
    const named = params.targets ?? (params.target === undefined ? undefined : [params.target]);
    const target = Array.isArray(named) ? `${service}/${named.join(',')}` : service;
    const entry: LedgerEntry = {
      id,
      kind,
      service,
      target,
      params,
      at: new Date().toISOString(),
      status: 'running',
    };
    this.state.ledger.push(entry);
    if (this.state.ledger.length > LEDGER_LIMIT)
      this.state.ledger.splice(0, this.state.ledger.length - LEDGER_LIMIT);
    this.persist();
    return { entry };
  }

  progress(entry: LedgerEntry, detail: string): void {
    entry.progress = detail;
  }

  succeed(entry: LedgerEntry, result: ActionResult): void {
    entry.status = 'succeeded';
    entry.result = result;
    entry.progress = undefined;
    entry.finishedAt = new Date().toISOString();
    this.persist();
  }

  fail(entry: LedgerEntry, error: string): void {
    entry.status = 'failed';
    entry.error = error;
    entry.progress = undefined;
    entry.finishedAt = new Date().toISOString();
    this.persist();
  }
}
