import type { AwsConfig } from '../../core/model/awsConfig';
import type { ActionOutcome, ActionRequest } from '../types';
import type { AwsClients } from './clients';
import { invalid } from './errors';
import { serviceConfig } from './serviceConfig';
import { tagSafeActionId } from './tagSafe';
import {
  decodeWeights,
  encodeWeights,
  mergeWeights,
  readForward,
  sameWeights,
  tagForward,
  WEIGHT_LEDGER,
  writeWeights,
} from './weights';

/**
 * setWeights on AWS: shifts the ALB listener's (or rule's) forward weights between target groups.
 * Check before act: equal weights mean no ModifyListener. The listener's tags hold this action's ledger,
 * so a retry after ModifyListener went out returns the weights from before the first attempt.
 * ALB applies new weights within seconds and has no rollout to wait for.
 */
export async function setWeightsOnAws(
  clients: AwsClients,
  config: AwsConfig,
  req: ActionRequest & { weights: Record<string, number> },
): Promise<ActionOutcome> {
  const traffic = serviceConfig(config, req.service).traffic;
  if (!traffic) throw invalid(`service ${req.service} has no aws traffic section (listener)`, 'NoTraffic');

  const current = await readForward(clients, traffic, req.signal);
  const mine = current.tags[WEIGHT_LEDGER.actionId] === tagSafeActionId(req.actionId);
  const before = mine ? decodeWeights(current.tags[WEIGHT_LEDGER.before] ?? '') : current.weights;
  const after = mergeWeights(before, req.weights, traffic);
  const base = { actionId: req.actionId, before: { weights: before }, after: { weights: after } };

  if (mine && current.tags[WEIGHT_LEDGER.state] === 'done') {
    return { ...base, applied: false, summary: `weights already ${encodeWeights(after)} (action repeated)` };
  }
  if (sameWeights(current.weights, after)) {
    if (mine) await tagForward(clients, current.resourceArn, { [WEIGHT_LEDGER.state]: 'done' }, req.signal);
    return {
      ...base,
      applied: mine,
      summary: mine
        ? `weights ${encodeWeights(after)} (set by an earlier attempt)`
        : `weights already ${encodeWeights(after)}`,
    };
  }

  await tagForward(
    clients,
    current.resourceArn,
    {
      [WEIGHT_LEDGER.actionId]: tagSafeActionId(req.actionId),
      [WEIGHT_LEDGER.state]: 'sent',
      [WEIGHT_LEDGER.before]: encodeWeights(before),
      [WEIGHT_LEDGER.after]: encodeWeights(after),
    },
    req.signal,
  );
  await writeWeights(clients, traffic, current, after, req.signal);
  req.onProgress?.(`weights set to ${encodeWeights(after)}`);
  await tagForward(clients, current.resourceArn, { [WEIGHT_LEDGER.state]: 'done' }, req.signal);
  return { ...base, applied: true, summary: `weights ${encodeWeights(before)} → ${encodeWeights(after)}` };
}
