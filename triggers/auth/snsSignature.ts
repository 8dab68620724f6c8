import { X509Certificate, verify, type KeyObject } from 'node:crypto';
import { unauthorized } from '../http/errors';

/**
 * Amazon SNS message signatures: RSA over a canonical "Key\nValue\n" string, SHA1 for SignatureVersion 1
 * and SHA256 for 2, with the key from the certificate at SigningCertURL. That URL is attacker-supplied,
 * so its host must match an allow-list (default `sns.*.amazonaws.com`) before anything is fetched.
 */

export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string | null;
  SubscribeURL?: string;
  Token?: string;
}

/** What fetching a certificate or confirming a subscription needs; `fetch` fits, tests inject their own. */
export type HttpGet = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

export function snsStringToSign(m: SnsEnvelope): string {
  const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let out = '';
  for (const key of keys) {
    const value = m[key];
    // Subject is signed only when present; an absent one leaves no line.
    if (value === undefined || value === null) continue;
    out += `${key}\n${value}\n`;
  }
  return out;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * True when `url` is https (or http on a loopback host, which only a test's allow-list names) and its
 * host matches one of `patterns` label by label, `*` standing for exactly one label.
 */
export function urlHostAllowed(url: string, patterns: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(host))) return false;
  if (parsed.username || parsed.password) return false;
  const labels = host.replace(/^\[|\]$/g, '').split('.');
  return patterns.some((pattern) => {
    const want = pattern.toLowerCase().split('.');
    return want.length === labels.length && want.every((w, i) => w === '*' || w === labels[i]);
  });
}

const CERT_TTL_MS = 60 * 60 * 1000;
const MAX_CACHED_CERTS = 64;
const MAX_CERT_BYTES = 64 * 1024;

/** Fetches and caches signing certificates (SNS rotates them rarely; every message names one). */
export class SnsCertificateCache {
  private readonly cache = new Map<string, { key: Promise<KeyObject>; expires: number }>();

  constructor(
    private readonly allowedHosts: readonly string[],
    private readonly get: HttpGet,
    private readonly timeoutMs = 5_000,
  ) {}

  async publicKey(url: string, now = Date.now()): Promise<KeyObject> {
    if (!urlHostAllowed(url, this.allowedHosts) || !new URL(url).pathname.endsWith('.pem'))
      throw unauthorized('SigningCertURL is not an allowed SNS certificate URL');
    const cached = this.cache.get(url);
    if (cached && cached.expires > now) return await cached.key;
    if (this.cache.size >= MAX_CACHED_CERTS) this.cache.delete(this.cache.keys().next().value!);
    const key = this.download(url, now);
    this.cache.set(url, { key, expires: now + CERT_TTL_MS });
    // A failed download is not remembered: the next message tries again.
    void key.catch(() => this.cache.delete(url));
    return await key;
  }

  private async download(url: string, now: number): Promise<KeyObject> {
    let pem: string;
    try {
      const res = await this.get(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      pem = await res.text();
    } catch (err) {
      throw unauthorized(`could not fetch the signing certificate (${(err as Error).message})`);
    }
    if (pem.length > MAX_CERT_BYTES) throw unauthorized('signing certificate is too large');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw unauthorized('SigningCertURL did not serve a PEM certificate');
    }
    if (Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now)
      throw unauthorized('signing certificate is not valid now');
    return cert.publicKey;
  }
}

export async function verifySnsSignature(m: SnsEnvelope, certs: SnsCertificateCache): Promise<void> {
  const algorithm = m.SignatureVersion === '1' ? 'sha1' : m.SignatureVersion === '2' ? 'sha256' : undefined;
  if (!algorithm) throw unauthorized('SignatureVersion must be "1" or "2"');
  const key = await certs.publicKey(m.SigningCertURL);
  let ok: boolean;
  try {
    ok = verify(algorithm, Buffer.from(snsStringToSign(m), 'utf8'), key, Buffer.from(m.Signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw unauthorized('SNS message signature does not verify');
}
