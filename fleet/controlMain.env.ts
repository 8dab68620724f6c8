/** Environment variables the control process reads (kept apart so importing them starts nothing). */
export const CONTROL_ENV = {
  stateDir: 'FLEET_STATE_DIR',
  port: 'FLEET_CONTROL_PORT',
  replicas: 'FLEET_REPLICAS_PER_SERVICE',
  loadRps: 'FLEET_LOAD_RPS',
  windowSeconds: 'FLEET_WINDOW_SECONDS',
  /** Set by startFleet: stop when stdin closes (the parent is gone). */
  watchStdin: 'FLEET_WATCH_STDIN',
} as const;
