import {
  claimRoot,
  releaseRoots,
  ROOT_CLAIM_TTL_MS,
  validRootClaim,
  type RootRegistry,
} from '../../workflows/governorRoots';

/** The governor's root registry: first claimant owns, others link once, release frees, stale claims expire. */
describe('root registry', () => {
  const t0 = Date.parse('2026-12-02T12:00:00Z');
  const claim = (workflowId: string, service: string, root = 'payments') => ({
    root,
    workflowId,
    service,
    failureClass: 'dependency-outage',
  });

  it('grants a root to its first claimant and links the others once', () => {
    const reg: RootRegistry = {};
    expect(claimRoot(reg, claim('incident:checkout', 'checkout'), t0).answer).toEqual({
      role: 'root',
      rootService: 'payments',
      rootIncident: 'incident:checkout',
      rootIncidentService: 'checkout',
    });
    const web = claimRoot(reg, claim('incident:web', 'web'), t0 + 1);
    expect(web.answer).toMatchObject({ role: 'victim', rootIncident: 'incident:checkout' });
    expect(web.linked).toMatchObject({ workflowId: 'incident:web', service: 'web' });
    // A retried claim (an activity retry) and the owner's own re-claim (a re-plan) change nothing.
    expect(claimRoot(reg, claim('incident:web', 'web'), t0 + 2).linked).toBeUndefined();
    expect(claimRoot(reg, claim('incident:checkout', 'checkout'), t0 + 3).answer.role).toBe('root');
    expect(reg.payments!.victims.map((v) => v.workflowId)).toEqual(['incident:web']);
    // Another root is another owner.
    expect(claimRoot(reg, claim('incident:web', 'web', 'web'), t0).answer.role).toBe('root');
  });

  it('frees the roots of a closing owner; the next claimant owns them', () => {
    const reg: RootRegistry = {};
    claimRoot(reg, claim('incident:checkout', 'checkout'), t0);
    claimRoot(reg, claim('incident:web', 'web'), t0);
    const released = releaseRoots(reg, 'incident:checkout');
    expect(released.map((r) => [r.root, r.owner.victims.map((v) => v.workflowId)])).toEqual([
      ['payments', ['incident:web']],
    ]);
    expect(releaseRoots(reg, 'incident:checkout')).toEqual([]);
    expect(claimRoot(reg, claim('incident:payments', 'payments'), t0).answer.role).toBe('root');
  });

  it('lets go of a claim nobody released after its TTL', () => {
    const reg: RootRegistry = {};
    claimRoot(reg, claim('incident:gone', 'checkout'), t0);
    expect(claimRoot(reg, claim('incident:web', 'web'), t0 + ROOT_CLAIM_TTL_MS + 1).answer.role).toBe('root');
  });

  it('refuses a claim without a root, naming the field', () => {
    expect(() => validRootClaim({ ...claim('incident:web', 'web'), root: ' ' })).toThrow(/root is required/);
  });
});
