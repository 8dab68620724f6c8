import { writeFileSync } from 'node:fs';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { toWorkflowId } from '../client/incidentId';
import { reportMarkdown } from '../client/report/markdown';
import { readReportFacts, ReportUnavailable } from '../client/report/read';

export interface ReportOptions {
  out?: string;
  json: boolean;
}

/**
 * `homeostat report <incident> [--out file.md]`: the postmortem draft of a closed incident (no worker
 * needed) or of an open one (its state query, so a worker must run). Returns the exit code.
 */
export async function reportCommand(
  client: Client,
  target: string | undefined,
  opts: ReportOptions,
): Promise<number> {
  if (!target) {
    console.error('report needs an incident id, e.g. `homeostat report checkout --out checkout.md`');
    return 2;
  }
  const workflowId = toWorkflowId(target);
  let facts;
  try {
    facts = await readReportFacts(client, workflowId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      console.error(`no incident ${target} (\`homeostat list --all\` shows the incidents there are)`);
      return 1;
    }
    if (err instanceof ReportUnavailable) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const text = opts.json ? `${JSON.stringify(facts, null, 2)}\n` : reportMarkdown(facts);
  if (opts.out) {
    writeFileSync(opts.out, text);
    console.log(`${facts.open ? 'draft of an open incident' : 'report'} written to ${opts.out}`);
  } else process.stdout.write(text);
  return 0;
}
