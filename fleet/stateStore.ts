import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetState } from './fleetModel';

/**
 * The fleet's state file. Written atomically (temporary file, then rename) so a crash mid-write leaves
 * the previous version intact, never half a file.
 */
export class StateStore {
  readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'fleet-state.json');
  }

  load(): FleetState | undefined {
    if (!existsSync(this.file)) return undefined;
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as FleetState;
    if (parsed.version !== 1)
      throw new Error(`${this.file}: unknown state version ${String(parsed.version)}`);
    return parsed;
  }

  save(state: FleetState): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, this.file);
  }
}
