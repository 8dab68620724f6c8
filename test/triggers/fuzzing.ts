/**
 * Deterministic random inputs for the fuzz tests: a seeded generator (so a failure can be replayed from
 * its seed), random JSON values, and mutations of valid payloads that keep most of their structure so
 * they reach deep into the parsers instead of failing at the first field.
 */
export class Random {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
  /** Printable ASCII only: what an HTTP client lets through in a header value. */
  printable(n: number): string {
    return String.fromCharCode(...Array.from({ length: n }, () => 32 + this.int(95)));
  }
  text(n: number): string {
    const alphabets = [
      'abcdefghijklmnopqrstuvwxyz',
      'ÄÖü日本語🔥\u0000\u202e\n\t"\\',
      '0123456789.-_:/ ',
      '<>{}[]$%&*',
    ];
    let out = '';
    for (let i = 0; i < n; i++) out += this.pick([...this.pick(alphabets)]);
    return out;
  }
}

const WEIRD_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'null',
  '0001-01-01T00:00:00Z',
  '2026-13-45T99:99:99Z',
  '9999-12-31T23:59:59.999999999Z',
  'NaN',
  '-1',
  'firing',
  'resolved',
  'incident.triggered',
  'Notification',
  'SubscriptionConfirmation',
  'x'.repeat(300),
];

export function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.14]);
    case 2:
      return r.chance(0.5);
    case 3:
      return r.pick(WEIRD_STRINGS);
    case 4:
      return r.text(r.int(40));
    case 5:
      return new Date(r.int(2 ** 42)).toISOString();
    case 6:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [
          r.pick([...WEIRD_STRINGS, r.text(8)]),
          randomValue(r, depth + 1),
        ]),
      );
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `value` (objects and arrays), the root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A copy of `valid` with 1–4 random changes: a field removed, retyped, set to a weird value, or duplicated. */
export function mutate(r: Random, valid: unknown): unknown {
  let doc = JSON.parse(JSON.stringify(valid)) as Json;
  const changes = 1 + r.int(4);
  for (let i = 0; i < changes; i++) {
    const all = paths(doc);
    const path = r.pick(all);
    if (path.length === 0) {
      if (r.chance(0.2)) doc = randomValue(r) as Json;
      continue;
    }
    let parent = doc as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const last = path[path.length - 1]!;
    const op = r.int(4);
    if (op === 0 && !Array.isArray(parent)) delete parent[last];
    else if (op === 1 && Array.isArray(parent[last]))
      (parent[last] as Json[]).push(...(parent[last] as Json[]));
    else parent[last] = randomValue(r) as Json;
  }
  return doc;
}
