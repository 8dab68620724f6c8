import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = join(__dirname, '..', 'histories');

/**
 * Saves a finished workflow's history as a replay fixture when HOMEOSTAT_RECORD_HISTORIES=1
 * (`npm run record-histories`). Committed fixtures are replayed by test/replay.test.ts, so a change to
 * workflow code that would break running incidents fails CI. An existing fixture is kept: old
 * histories are what prove a `patched()` change still replays (HOMEOSTAT_RECORD_HISTORIES=overwrite
 * replaces them anyway).
 */
export async function maybeRecordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const mode = process.env.HOMEOSTAT_RECORD_HISTORIES;
  if (mode !== '1' && mode !== 'overwrite') return;
  if (mode === '1' && existsSync(join(HISTORIES_DIR, `${name}.json`))) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
