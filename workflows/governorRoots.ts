import type { Outcome } from '../core/model/incidentState';

/**
 * Cross-service correlation, held by the governor (a durable singleton whose updates run one at a
 * time): which open incident owns each root service. The first incident to claim a root acts on it;
 * any other whose diagnosis reaches the same root — its own alert was about a caller, or it is the
 * root's own alert arriving later — links to the owner as a victim and takes no action. Two incidents
 * diagnosing one root at the same moment are two updates in one workflow: one of them is first.
 * Pure, so the rules are tested without a server.
 */

/** A claim older than this is let go even if its owner never released it (an incident terminated by hand). */
export const ROOT_CLAIM_TTL_MS = 6 * 60 * 60 * 1000;
/** Victims remembered per root (the newest); more are only counted in their own incidents. */
export const MAX_VICTIMS = 50;

export interface LinkedVictim {
  workflowId: string;
  service: string;
  at: string;
}

export interface RootOwner {
  workflowId: string;
  /** The owner's own alerting service. */
  service: string;
  failureClass: string;
  claimedAt: string;
  victims: LinkedVictim[];
}

/** Root service → the incident that owns it. */
export type RootRegistry = Record<string, RootOwner>;

export interface RootClaim {
  /** The diagnosis's root service. */
  root: string;
  workflowId: string;
  /** The claiming incident's own (alerting) service. */
  service: string;
  failureClass: string;
}

export interface RootClaimAnswer {
  role: 'root' | 'victim';
  rootService: string;
  /** The owner's workflow id (the claimant's own when it is the root). */
  rootIncident: string;
  rootIncidentService: string;
}

/** What the incidents linked to a closing owner hear. */
export interface RootClosed {
  workflowId: string;
  rootService: string;
  outcome: Outcome | 'unknown';
  conclusion: string;
}

export function validRootClaim(c: RootClaim): void {
  for (const key of ['root', 'workflowId', 'service', 'failureClass'] as const) {
    if (typeof c?.[key] !== 'string' || !c[key].trim()) throw new Error(`${key} is required`);
  }
}

/** Lets go of claims past their TTL. */
function expire(reg: RootRegistry, now: number): void {
  for (const [root, owner] of Object.entries(reg)) {
    if (now - Date.parse(owner.claimedAt) > ROOT_CLAIM_TTL_MS) delete reg[root];
  }
}

/**
 * Grants the root to the claimant or links it to the owner. `linked` is set when this claim added a
 * victim (the owner is told once; a retried claim adds nothing).
 */
export function claimRoot(
  reg: RootRegistry,
  claim: RootClaim,
  now: number,
): { answer: RootClaimAnswer; linked?: LinkedVictim; owner: RootOwner } {
  expire(reg, now);
  const at = new Date(now).toISOString();
  let owner = reg[claim.root];
  if (!owner) {
    owner = {
      workflowId: claim.workflowId,
      service: claim.service,
      failureClass: claim.failureClass,
      claimedAt: at,
      victims: [],
    };
    reg[claim.root] = owner;
  }
  const answer: RootClaimAnswer = {
    role: owner.workflowId === claim.workflowId ? 'root' : 'victim',
    rootService: claim.root,
    rootIncident: owner.workflowId,
    rootIncidentService: owner.service,
  };
  if (answer.role === 'root' || owner.victims.some((v) => v.workflowId === claim.workflowId))
    return { answer, owner };
  const linked = { workflowId: claim.workflowId, service: claim.service, at };
  owner.victims = [...owner.victims, linked].slice(-MAX_VICTIMS);
  return { answer, linked, owner };
}

/** Frees every root `workflowId` owns; returns them with their victims, who are told the owner ended. */
export function releaseRoots(
  reg: RootRegistry,
  workflowId: string,
): Array<{ root: string; owner: RootOwner }> {
  const released = Object.entries(reg)
    .filter(([, o]) => o.workflowId === workflowId)
    .map(([root, owner]) => ({ root, owner }));
  for (const { root } of released) delete reg[root];
  return released;
}
