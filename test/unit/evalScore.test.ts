import {
  formatMatrix,
  median,
  MISSED,
  NO_FAULT,
  score,
  type ScenarioObservation,
} from '../../bench/eval/score';

const T0 = 1_000_000;
const targets = { detectWithinSeconds: 15, medianRecoverUnderSeconds: 60 };

const incident = (over: Partial<ScenarioObservation['incidents'][number]>) => ({
  workflowId: `wf-${Math.random()}`,
  service: 'checkout',
  openedAt: T0 + 8_000,
  actions: 1,
  ...over,
});

describe('eval scoring', () => {
  it('counts a right diagnosis, its time to detect and to recover', () => {
    const r = score(
      [
        {
          scenario: 'bad-release',
          truth: [{ service: 'checkout', failureClass: 'bad-release' }],
          onset: T0,
          incidents: [
            incident({
              rootService: 'checkout',
              failureClass: 'bad-release',
              outcome: 'recovered',
              closedAt: T0 + 40_000,
            }),
          ],
          fleetActions: 2,
          approvals: 0,
        },
      ],
      targets,
    );
    expect(r.matrix['bad-release']).toEqual({ 'bad-release': 1 });
    expect(r.perClass['bad-release']).toMatchObject({
      diagnosedRight: 1,
      medianDetectSeconds: 8,
      medianRecoverSeconds: 40,
    });
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(1);
    expect(r.targets).toMatchObject({ everyClassRight: true, detectedInTime: true, recoveredInTime: true });
  });

  it('a victim linked to the root incident is neither a detection nor a false one', () => {
    const r = score(
      [
        {
          scenario: 'dependency-outage',
          truth: [{ service: 'payments', failureClass: 'dependency-outage' }],
          onset: T0,
          incidents: [
            incident({
              service: 'web',
              rootService: 'payments',
              failureClass: 'dependency-outage',
              linkedTo: 'incident:payments',
              actions: 0,
            }),
            incident({
              service: 'payments',
              rootService: 'payments',
              failureClass: 'dependency-outage',
              outcome: 'recovered',
              closedAt: T0 + 30_000,
            }),
          ],
          fleetActions: 1,
          approvals: 1,
        },
      ],
      targets,
    );
    expect(r.falsePositives).toBe(0);
    expect(r.truePositives).toBe(1);
  });

  it('a wrong class, a miss, a false incident and actions on a benign scenario all show', () => {
    const r = score(
      [
        {
          scenario: 'hang',
          truth: [{ service: 'checkout', failureClass: 'deadlock' }],
          onset: T0,
          incidents: [
            incident({
              rootService: 'checkout',
              failureClass: 'unknown',
              outcome: 'escalated',
              closedAt: T0 + 90_000,
            }),
          ],
          fleetActions: 0,
          approvals: 0,
        },
        {
          scenario: 'leak',
          truth: [{ service: 'web', failureClass: 'memory-leak' }],
          onset: T0,
          incidents: [],
          fleetActions: 0,
          approvals: 0,
        },
        {
          scenario: 'benign-spike',
          truth: [],
          onset: T0,
          incidents: [incident({ failureClass: 'resource-exhaustion', openedAt: T0 + 30_000 })],
          fleetActions: 3,
          approvals: 0,
        },
      ],
      targets,
    );
    expect(r.matrix.deadlock).toEqual({ unknown: 1 });
    expect(r.matrix['memory-leak']).toEqual({ [MISSED]: 1 });
    expect(r.matrix[NO_FAULT]).toEqual({ 'resource-exhaustion': 1 });
    expect(r.precision).toBe(0.5);
    expect(r.recall).toBe(0.5);
    expect(r.actionsOnBenign).toBe(3);
    expect(r.targets).toMatchObject({
      everyClassRight: false,
      zeroActionsOnBenign: false,
      recoveredInTime: false,
    });
    expect(r.misses).toHaveLength(3);
    expect(formatMatrix(r.matrix)).toContain('deadlock');
  });

  it('time to recover ends at the recovery check, not when the incident closes after scaling back in', () => {
    const r = score(
      [
        {
          scenario: 'queue-backlog',
          truth: [{ service: 'checkout', failureClass: 'queue-backlog' }],
          onset: T0,
          incidents: [
            incident({
              rootService: 'checkout',
              failureClass: 'queue-backlog',
              outcome: 'recovered',
              recoveredAt: T0 + 30_000,
              closedAt: T0 + 75_000,
            }),
          ],
          fleetActions: 2,
          approvals: 0,
        },
      ],
      targets,
    );
    expect(r.perClass['queue-backlog']!.medianRecoverSeconds).toBe(30);
  });

  it('median of an even and an odd list', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
