import { WorkflowNotFoundError } from '@temporalio/client';
import { activityInfo } from '@temporalio/activity';
import { governorWorkflowId, type Pause } from '../model/governor';
import { governorQuery } from '../workflows/governorApi';
import type { ActivityDeps } from './deps';

export function governorActivities(deps: ActivityDeps) {
  return {
    /** The global pause, if set. No governor yet (nobody ever paused) means not paused. */
    async readPause(): Promise<Pause | null> {
      if (!deps.client) return null;
      try {
        return (
          await deps.client.workflow
            .getHandle(governorWorkflowId(activityInfo().taskQueue))
            .query(governorQuery)
        ).paused;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
    },
  };
}
