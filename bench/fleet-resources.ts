/**
 * Measures the default local fleet under its steady load: RSS of all its processes, and CPU over 30 s.
 *   node --import tsx bench/fleet-resources.ts [--seconds 30] [--rps 30] [--replicas 3]
 * Targets: < 1 GiB RSS in total, < 50 % of one core.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFleet } from '../fleet/startFleet';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

interface Sample {
  pid: number;
  ppid: number;
  name: string;
  cpuTicks: number;
  rssBytes: number;
}

function read(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state, ppid, … utime (14th), stime (15th).
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return {
      pid,
      ppid: Number(after[1]),
      name:
        cmdline
          .find((a) => /replica\.js|controlMain/.test(a))
          ?.split('/')
          .pop() ?? cmdline.join(' '),
      cpuTicks: Number(after[11]) + Number(after[12]),
      rssBytes: rssPages * PAGE,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process and all its descendants. */
function tree(root: number): Sample[] {
  const all = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => read(Number(n)))
    .filter((s): s is Sample => s !== undefined);
  const out: Sample[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const sample = all.find((s) => s.pid === pid);
    if (sample) out.push(sample);
    queue.push(...all.filter((s) => s.ppid === pid).map((s) => s.pid));
  }
  return out;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      rps: { type: 'string', default: '30' },
      replicas: { type: 'string', default: '3' },
    },
  });
  const seconds = Number(values.seconds);
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-fleet-bench-'));
  const fleet = await startFleet({
    stateDir,
    controlPort: 0,
    loadRps: Number(values.rps),
    replicasPerService: Number(values.replicas),
  });
  try {
    process.stdout.write(
      `fleet up (${values.replicas} replicas × 3 services, ${values.rps} rps); warming up 10 s…\n`,
    );
    await new Promise((r) => setTimeout(r, 10_000));
    const start = tree(fleet.pid);
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = tree(fleet.pid);
    const elapsed = (Date.now() - startedAt) / 1000;

    const ticks = (group: Sample[]): number =>
      group.reduce(
        (sum, s) => sum + s.cpuTicks - (start.find((p) => p.pid === s.pid)?.cpuTicks ?? s.cpuTicks),
        0,
      );
    const percent = (t: number): number => (t / CLOCK_TICKS / elapsed) * 100;
    const cpuPercent = percent(ticks(end));
    const rss = end.reduce((sum, s) => sum + s.rssBytes, 0);
    const control = end.find((s) => s.pid === fleet.pid);
    const replicas = end.filter((s) => s.name === 'replica.js');
    const others = end.filter((s) => s !== control && !replicas.includes(s));
    const stats = (await (
      await fetch(
        `${fleet.controlUrl}/services/web/series?metrics=request_rate,error_ratio&from=${startedAt}`,
      )
    ).json()) as {
      series: Array<{ metric: string; points: Array<[number, number]> }>;
    };
    const mean = (metric: string): number => {
      const points = stats.series.find((s) => s.metric === metric)?.points ?? [];
      return points.reduce((s, [, v]) => s + v, 0) / Math.max(1, points.length);
    };
    const lines = [
      `processes: ${end.length} (control + ${replicas.length} replicas${others.map((o) => ` + ${o.name.slice(0, 60)} ${mb(o.rssBytes)}`).join('')})`,
      `RSS total: ${mb(rss)}   (target < 1024 MB)  control ${mb(control?.rssBytes ?? 0)}, replicas ${mb(Math.min(...replicas.map((r) => r.rssBytes)))}–${mb(Math.max(...replicas.map((r) => r.rssBytes)))} each`,
      `CPU over ${elapsed.toFixed(0)} s: ${cpuPercent.toFixed(1)} % of one core   (target < 50 %)  control ${percent(ticks(control ? [control] : [])).toFixed(1)} %, replicas ${percent(ticks(replicas)).toFixed(1)} %`,
      `traffic on web: ${mean('request_rate').toFixed(1)} rps, error ratio ${mean('error_ratio').toFixed(3)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
