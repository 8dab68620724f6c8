import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '@temporalio/activity';
import type { IncidentReport } from '../core/model/incidentState';
import type { ActivityDeps } from './deps';

export function recordActivities(deps: ActivityDeps) {
  return {
    /**
     * Keeps the incident's report beside the state (one file per run, written atomically, so a retry
     * overwrites rather than duplicates): the raw material for learning which playbooks work.
     */
    async recordOutcome(report: IncidentReport & { runId: string }): Promise<string> {
      mkdirSync(deps.recordDir, { recursive: true });
      const safe = `${report.workflowId}-${report.runId}`.replace(/[^A-Za-z0-9._-]/g, '_');
      const file = join(deps.recordDir, `${safe}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(report, null, 2));
      renameSync(`${file}.tmp`, file);
      log.info(`incident ${report.outcome}: report recorded`, { outcome: report.outcome, file });
      return file;
    },
  };
}
