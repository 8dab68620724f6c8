import {
  AddTagsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsServiceConfig } from '../../core/model/awsConfig';
import type { AwsClients } from './clients';
import { aws, invalid } from './errors';

type Traffic = NonNullable<AwsServiceConfig['traffic']>;

/** The forward action of a listener's default actions (or of one rule) and its weights by pool. */
export interface ForwardState {
  /** The listener or rule the weights live on (and the action ledger, as tags). */
  resourceArn: string;
  actions: Action[];
  forwardIndex: number;
  weights: Record<string, number>;
  tags: Record<string, string>;
}

/** Pool name for a target group ARN: the configured name, else the target group's own name. */
function poolOf(traffic: Traffic, targetGroupArn: string): string {
  const named = Object.entries(traffic.targetGroups).find(([, arn]) => arn === targetGroupArn);
  return named ? named[0] : (targetGroupArn.split('/')[1] ?? targetGroupArn);
}

function arnOf(traffic: Traffic, pool: string, current: ForwardState): string {
  const configured = traffic.targetGroups[pool];
  if (configured) return configured;
  const seen = current.actions[current.forwardIndex]?.ForwardConfig?.TargetGroups?.find(
    (t) => t.TargetGroupArn && poolOf(traffic, t.TargetGroupArn) === pool,
  );
  if (seen?.TargetGroupArn) return seen.TargetGroupArn;
  throw invalid(
    `unknown pool ${pool} (pools: ${Object.keys(traffic.targetGroups).join(', ')})`,
    'UnknownPool',
  );
}

export async function readForward(
  clients: AwsClients,
  traffic: Traffic,
  signal?: AbortSignal,
): Promise<ForwardState> {
  const resourceArn = traffic.ruleArn ?? traffic.listenerArn;
  let actions: Action[];
  if (traffic.ruleArn) {
    const out = await aws(
      'DescribeRules',
      (options) => clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [traffic.ruleArn!] }), options),
      signal,
    );
    actions = out.Rules?.[0]?.Actions ?? [];
  } else {
    const out = await aws(
      'DescribeListeners',
      (options) =>
        clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [traffic.listenerArn] }), options),
      signal,
    );
    actions = out.Listeners?.[0]?.DefaultActions ?? [];
  }
  const forwardIndex = actions.findIndex((a) => a.Type === 'forward');
  const forward = actions[forwardIndex];
  if (!forward) throw invalid(`${resourceArn} has no forward action to shift weights on`, 'NoForwardAction');

  const weights: Record<string, number> = {};
  const groups = forward.ForwardConfig?.TargetGroups;
  if (groups?.length) {
    for (const g of groups) if (g.TargetGroupArn) weights[poolOf(traffic, g.TargetGroupArn)] = g.Weight ?? 1;
  } else if (forward.TargetGroupArn) {
    weights[poolOf(traffic, forward.TargetGroupArn)] = 1;
  }

  const tagsOut = await aws(
    'DescribeTags',
    (options) => clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [resourceArn] }), options),
    signal,
  );
  const tags = Object.fromEntries(
    (tagsOut.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
  );
  return { resourceArn, actions, forwardIndex, weights, tags };
}

/** The full weight map after applying `requested` (pools not named keep their weight). */
export function mergeWeights(
  current: Record<string, number>,
  requested: Record<string, number>,
  traffic: Traffic,
): Record<string, number> {
  const merged = { ...current };
  for (const [pool, weight] of Object.entries(requested)) {
    if (!(pool in current) && !traffic.targetGroups[pool]) {
      throw invalid(
        `unknown pool ${pool} (pools: ${Object.keys(traffic.targetGroups).join(', ')})`,
        'UnknownPool',
      );
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 999) {
      throw invalid(
        `weight of ${pool} must be an integer 0..999 (ALB limit), got ${weight}`,
        'InvalidWeight',
      );
    }
    merged[pool] = weight;
  }
  if (Object.values(merged).every((w) => w === 0)) {
    throw invalid('at least one pool must keep a weight above 0', 'InvalidWeight');
  }
  return merged;
}

export function sameWeights(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

/** Rewrites only the forward action's target group weights; every other action and setting stays. */
export async function writeWeights(
  clients: AwsClients,
  traffic: Traffic,
  current: ForwardState,
  weights: Record<string, number>,
  signal?: AbortSignal,
): Promise<void> {
  const actions = current.actions.map((action, i) => {
    if (i !== current.forwardIndex) return action;
    // With several target groups, ALB wants them all in ForwardConfig and no TargetGroupArn beside it.
    const { TargetGroupArn: _single, ...rest } = action;
    return {
      ...rest,
      ForwardConfig: {
        ...action.ForwardConfig,
        TargetGroups: Object.entries(weights).map(([pool, Weight]) => ({
          TargetGroupArn: arnOf(traffic, pool, current),
          Weight,
        })),
      },
    };
  });
  if (traffic.ruleArn) {
    await aws(
      'ModifyRule',
      (options) =>
        clients.elbv2.send(new ModifyRuleCommand({ RuleArn: traffic.ruleArn!, Actions: actions }), options),
      signal,
    );
  } else {
    await aws(
      'ModifyListener',
      (options) =>
        clients.elbv2.send(
          new ModifyListenerCommand({ ListenerArn: traffic.listenerArn, DefaultActions: actions }),
          options,
        ),
      signal,
    );
  }
}

/** ELB tag values allow letters, digits, spaces and `_.:/=+-@`: weights are kept as `pool=w pool=w`. */
export function encodeWeights(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([pool, w]) => `${pool}=${w}`)
    .join(' ');
}

export function decodeWeights(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.lastIndexOf('=');
        return [pair.slice(0, at), Number(pair.slice(at + 1))];
      }),
  );
}

export const WEIGHT_LEDGER = {
  actionId: 'homeostat:action',
  state: 'homeostat:action-state',
  before: 'homeostat:before-weights',
  after: 'homeostat:after-weights',
} as const;

export async function tagForward(
  clients: AwsClients,
  resourceArn: string,
  tags: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  await aws(
    'AddTags',
    (options) =>
      clients.elbv2.send(
        new AddTagsCommand({
          ResourceArns: [resourceArn],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
        options,
      ),
    signal,
  );
}
