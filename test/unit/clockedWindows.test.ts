import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import type { GovernorState } from '../../core/model/governor';
import { formatGovernor } from '../../core/model/governorSummary';
import { TRACK_RECORD_DAYS } from '../../core/playbooks/trackRecord';
import { readTrackRecord } from '../../activities/trackRecord';
import type { Client } from '@temporalio/client';
import { SnsCertificateCache } from '../../triggers/auth/snsSignature';
import { DeliveryDeduper } from '../../triggers/deliveryDeduper';

/**
 * Windows and caches outside the governor's permit rules (permits.test.ts), each tested on a clock the
 * test moves: nothing here waits for real time to pass.
 */
const T0 = Date.parse('2026-12-01T10:00:00Z');
const SEC = 1_000;

// The detector's persistence (pending → firing after `for`) is tested in test/unit/detection.test.ts.

describe('the webhook delivery deduper (replay window)', () => {
  it('answers a repeat within the TTL from memory and runs it again once the TTL has passed', async () => {
    const dedup = new DeliveryDeduper<string>(60 * SEC);
    let runs = 0;
    const run = (now: number) => dedup.run('delivery-1', async () => `run ${++runs}`, now);
    expect(await run(T0)).toEqual({ result: 'run 1', duplicate: false });
    expect(await run(T0 + 60 * SEC - 1)).toEqual({ result: 'run 1', duplicate: true });
    expect(await run(T0 + 60 * SEC)).toEqual({ result: 'run 2', duplicate: false });
  });

  it('forgets a failed intake, so the retry runs for real', async () => {
    const dedup = new DeliveryDeduper<string>(60 * SEC);
    await expect(dedup.run('d', () => Promise.reject(new Error('Temporal down')), T0)).rejects.toThrow();
    expect(await dedup.run('d', async () => 'ok', T0 + SEC)).toEqual({ result: 'ok', duplicate: false });
  });

  it('evicts expired entries, and the oldest when full', async () => {
    const dedup = new DeliveryDeduper<number>(10 * SEC, 2);
    await dedup.run('a', async () => 1, T0);
    await dedup.run('b', async () => 2, T0 + SEC);
    await dedup.run('c', async () => 3, T0 + 2 * SEC); // full: a goes
    expect(dedup.size).toBe(2);
    expect((await dedup.run('a', async () => 4, T0 + 3 * SEC)).duplicate).toBe(false);
    await dedup.run('d', async () => 5, T0 + 20 * SEC); // every older entry has expired
    expect(dedup.size).toBe(1);
  });
});

describe('the governor summary (breaker window, the rolling hour)', () => {
  const limits = { ...DEFAULT_SAFETY_LIMITS, breakerFailures: 2, breakerWindowSeconds: 3600 };
  const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
  const state = {
    permits: {
      actions: [
        { permitId: 'i1/a', incidentId: 'i1', service: 'checkout', at: iso(0) },
        { permitId: 'i2/a', incidentId: 'i2', service: 'web', at: iso(50 * 60 * SEC) },
      ],
      breakers: { checkout: { failures: [iso(0), iso(20 * 60 * SEC)], lastConclusion: 'rollback failed' } },
      leases: {},
      released: [],
    },
  } as unknown as GovernorState;

  it('counts only the failures inside the breaker window and the actions inside the last hour', () => {
    const early = formatGovernor(state, limits, T0 + 55 * 60 * SEC);
    expect(early).toMatch(/circuit breakers OPEN/);
    expect(early).toMatch(/checkout: 2 failed remediation\(s\); last: rollback failed/);
    expect(early).toMatch(/actions in the last hour: 2\//);

    // 61 min on, the first failure and the first action have left their hour; the later ones have not.
    const later = formatGovernor(state, limits, T0 + 61 * 60 * SEC);
    expect(later).toMatch(/circuit breakers: all closed/);
    expect(later).toMatch(/checkout: 1\/2 failures toward opening/);
    expect(later).toMatch(/actions in the last hour: 1\//);
  });

  it('names the incident that owns each root cause and the victims waiting on it', () => {
    const roots: GovernorState['roots'] = {
      payments: {
        workflowId: 'incident:payments',
        service: 'payments',
        failureClass: 'dependency-outage',
        claimedAt: iso(0),
        victims: [{ workflowId: 'incident:web', service: 'web', at: iso(1000) }],
      },
    };
    expect(formatGovernor({ ...state, roots }, limits, T0)).toContain(
      'root cause payments: dependency-outage, handled by incident:payments; victims waiting on it: web (incident:web)',
    );
  });
});

describe('the SNS signing-certificate cache (an hour)', () => {
  /** A self-signed certificate valid for a day from now (openssl), served by a counting fake GET. */
  function certificate(): string {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-cert-'));
    try {
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sns.test'];
      execFileSync('openssl', [...args, '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return readFileSync(cert, 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('fetches a certificate once an hour, and refuses it once it has expired', async () => {
    const pem = certificate();
    const fetched: string[] = [];
    const certs = new SnsCertificateCache(['127.0.0.1'], async (url) => {
      fetched.push(url);
      return { status: 200, text: async () => pem };
    });
    const url = 'http://127.0.0.1:1/SimpleNotificationService-test.pem';
    const now = Date.now(); // the certificate is valid from now: the cache's clock starts there
    await certs.publicKey(url, now);
    await certs.publicKey(url, now + 3600 * SEC - 1);
    expect(fetched).toHaveLength(1);
    await certs.publicKey(url, now + 3600 * SEC);
    expect(fetched).toHaveLength(2);
    await expect(certs.publicKey(url, now + 2 * 86_400 * SEC)).rejects.toThrow(/not valid now/);
  });
});

describe("a playbook's track record (the last days)", () => {
  it('counts closed incidents since the window start on the clock it is given', async () => {
    const queries: string[] = [];
    const client = {
      workflow: {
        count: async (query: string) => {
          queries.push(query);
          return { count: query.includes('"recovered"') ? 4 : 1 };
        },
      },
    } as unknown as Client;
    const record = await readTrackRecord(client, 'tq', 'checkout', 'rollback-bad-release', T0);
    expect(record).toEqual({
      service: 'checkout',
      playbook: 'rollback-bad-release',
      recovered: 4,
      failed: 1,
      days: TRACK_RECORD_DAYS,
    });
    const since = new Date(T0 - TRACK_RECORD_DAYS * 86_400 * SEC).toISOString();
    expect(queries).toHaveLength(2);
    for (const q of queries) expect(q).toContain(`CloseTime > "${since}"`);
  });
});
