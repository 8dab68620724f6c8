/**
 * Persistence, as Prometheus alerting rules have it: a condition that holds is `pending`, becomes
 * `firing` once it has held for `for` seconds, and resolves as soon as it stops holding. A burst shorter
 * than `for` never fires.
 */
export type Persistence =
  | { phase: 'inactive' }
  | { phase: 'pending'; since: number }
  | { phase: 'firing'; since: number; firedAt: number };

export type PersistenceEvent = 'pending' | 'fired' | 'resolved';

export function stepPersistence(
  state: Persistence,
  holds: boolean,
  now: number,
  forSeconds: number,
): { state: Persistence; event?: PersistenceEvent } {
  if (!holds) {
    return state.phase === 'firing'
      ? { state: { phase: 'inactive' }, event: 'resolved' }
      : { state: { phase: 'inactive' } };
  }
  if (state.phase === 'firing') return { state };
  const since = state.phase === 'pending' ? state.since : now;
  if (now - since >= forSeconds * 1000)
    return { state: { phase: 'firing', since, firedAt: now }, event: 'fired' };
  return state.phase === 'pending' ? { state } : { state: { phase: 'pending', since }, event: 'pending' };
}
