import { webhookConfigSchema } from '../../core/model/webhookConfig';
import { verifyPagerDuty } from '../../triggers/auth/pagerdutySignature';
import { signStandardWebhook, verifyStandardWebhook } from '../../triggers/auth/standardWebhooks';
import { HttpError } from '../../triggers/http/errors';
import { pagerdutySource } from '../../triggers/sources/pagerduty';

/**
 * The signature verifiers against examples their vendors published, not only against our own signers
 * (which would agree with a verifier that shares their mistake). Data only, each with where it was
 * published. Not here, and why:
 * - Grafana documents its HMAC (hex HMAC-SHA256 of the body, or of "timestamp:body") but publishes no
 *   worked example with a secret, a body and the resulting signature; its own tests compute the
 *   expected value at run time.
 * - Amazon SNS publishes example messages with a Signature, but verifying one needs the AWS signing
 *   certificate behind its SigningCertURL, which the examples do not include and a test cannot fetch.
 * Both stay tested against our own signers (signedSources.test.ts, sns.test.ts).
 */

/** Whether `fn` throws a 401 HttpError (the verifiers' only way to refuse). */
function refused(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return true;
    throw err;
  }
}

describe('Standard Webhooks: the specification’s published example', () => {
  // Published in the Standard Webhooks reference libraries' tests ("sign function works"):
  // github.com/standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';
  const signature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  // The same file's deliberately wrong signatures (a "v1" over other bytes, a "v2", and garbage).
  const otherV1 = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
  const otherV2 = 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
  const garbage = 'v1,dawfeoifkpqwoekfpqoekf';

  // The clock is injected: the example's own time, so the replay window is tested without sleeping.
  const at = (seconds: number): Date => new Date(seconds * 1000);
  const headers = (sig: string, ts = String(timestamp)) => ({
    'webhook-id': id,
    'webhook-timestamp': ts,
    'webhook-signature': sig,
  });
  const verify = (h: Record<string, string>, b = body, now = at(timestamp), secrets = [secret]) =>
    verifyStandardWebhook(h, Buffer.from(b), secrets, now, 300);

  it('our signer produces the published signature', () => {
    expect(signStandardWebhook(secret, id, timestamp, body)).toBe(signature);
  });

  it('the verifier accepts it, alone, among the published wrong ones, and with the secret rotated in second', () => {
    expect(verify(headers(signature))).toEqual({ id, timestamp });
    expect(verify(headers([otherV1, otherV2, signature, otherV1].join(' ')))).toEqual({ id, timestamp });
    const rotatedOut = `whsec_${Buffer.from('rotated-out-secret-0123456789ab').toString('base64')}`;
    expect(verify(headers(signature), body, at(timestamp), [rotatedOut, secret])).toEqual({ id, timestamp });
    // Within the window on either side of the example's time.
    expect(verify(headers(signature), body, at(timestamp + 300))).toEqual({ id, timestamp });
    expect(verify(headers(signature), body, at(timestamp - 300))).toEqual({ id, timestamp });
  });

  it('the verifier refuses the example altered in any signed part, out of the window, or with the wrong ones only', () => {
    expect(refused(() => verify(headers(signature), body.replace('2432232314', '2432232315')))).toBe(true);
    expect(refused(() => verify({ ...headers(signature), 'webhook-id': `${id}x` }))).toBe(true);
    expect(refused(() => verify(headers(signature, String(timestamp + 1)), body, at(timestamp)))).toBe(true);
    expect(refused(() => verify(headers(signature), body, at(timestamp + 301)))).toBe(true);
    expect(refused(() => verify(headers(signature), body, at(timestamp - 301)))).toBe(true);
    expect(refused(() => verify(headers([otherV1, otherV2].join(' '))))).toBe(true);
    expect(refused(() => verify(headers(garbage)))).toBe(true);
    // The bare signature without its "v1," version prefix is not accepted.
    expect(refused(() => verify(headers(signature.slice(3))))).toBe(true);
    const other = `whsec_${Buffer.from('not-the-example-secret-01234567').toString('base64')}`;
    expect(refused(() => verify(headers(signature), body, at(timestamp), [other]))).toBe(true);
  });
});

describe('PagerDuty webhooks v3: PagerDuty’s published example', () => {
  // Published by PagerDuty in its Go client's webhook v3 tests:
  // github.com/PagerDuty/go-pagerduty, webhookv3/webhookv3_test.go (secret, defaultBody, "valid" and
  // "mismatch" signatures). The header format (several "v1=" signatures, comma-separated, one per secret
  // while rotating) is from developer.pagerduty.com "Verifying Signatures" (PagerDuty/developer-docs,
  // docs/webhooks/04-Signatures.md).
  const secret = 'lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK';
  const body =
    '{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}';
  const valid = 'v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd';
  const mismatch = 'v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5';

  const verify = (signature: string, b = body, secrets = [secret]) =>
    verifyPagerDuty({ 'x-pagerduty-signature': signature }, Buffer.from(b), secrets);

  it('the verifier accepts the published signature, alone or listed with another', () => {
    expect(() => verify(valid)).not.toThrow();
    expect(() => verify(`${mismatch},${valid}`)).not.toThrow();
    expect(() => verify(`${valid}, ${mismatch}`)).not.toThrow();
    expect(() => verify(valid, body, ['rotated-out-secret-0123456789', secret])).not.toThrow();
  });

  it('the verifier refuses the published mismatch, an altered body, another secret, and a missing prefix', () => {
    expect(refused(() => verify(mismatch))).toBe(true);
    expect(refused(() => verify(valid, body.replace('"P1"', '"P4"')))).toBe(true);
    expect(refused(() => verify(valid, body, ['not-the-example-secret-0123456789']))).toBe(true);
    expect(refused(() => verify(valid.slice(3)))).toBe(true);
    expect(refused(() => verify(''))).toBe(true);
  });

  it('the PagerDuty source authenticates and parses the published event (a priority change starts nothing)', async () => {
    const cfg = webhookConfigSchema.parse({ pagerduty: { secrets: [secret] } }).pagerduty;
    const source = pagerdutySource(cfg);
    // The clock is injected: a few seconds after the event occurred, inside the event-age bound.
    const now = new Date(Date.parse('2021-04-26T17:36:27.458Z') + 5_000);
    const headers = { 'x-pagerduty-signature': valid };
    await expect(source.receive({ headers, body: Buffer.from(body), now })).resolves.toEqual({
      kind: 'alerts',
      alerts: [],
      deliveryId: '01BWDWL3NYY7LUFPZCC28QUCMK',
    });
    // And the published mismatch is refused by the source as well, before any parsing.
    await expect(
      source.receive({ headers: { 'x-pagerduty-signature': mismatch }, body: Buffer.from(body), now }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
