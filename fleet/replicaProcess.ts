import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReplicaFault } from './faultScenarios';
import type { Behaviour, Pool } from './fleetModel';
import { httpJson } from './httpJson';
import type { ReplicaCommand } from './replicaBundle';
import { exitOf, spawnChild, stopChild } from './spawnChild';

export interface ReplicaSpec {
  service: string;
  target: string;
  pool: Pool;
  release: string;
  behaviour: Behaviour;
  downstreamUrl?: string;
  downstreamTimeoutMs: number;
}

/** Failed health checks in a row before a live replica counts as unhealthy (about 2 s). */
const UNHEALTHY_AFTER = 2;
const HEALTH_TIMEOUT_MS = 800;
/** Health checks (and metric samples) run this often, in metricsSampler.ts, each waiting up to HEALTH_TIMEOUT_MS. */
export const HEALTH_CHECK_EVERY_MS = 1_000;
/** The longest a replica that stops answering still reads as healthy: the topology reports it. */
export const HEALTH_CHECK_SECONDS = Math.ceil(
  (UNHEALTHY_AFTER * HEALTH_CHECK_EVERY_MS + HEALTH_TIMEOUT_MS) / 1000,
);
const START_TIMEOUT_MS = 30_000;

/**
 * One replica process and what the control process knows about it. It is never restarted behind
 * anyone's back: a crashed or hung replica stays unhealthy until a `restart` action replaces it.
 */
export class ReplicaProcess {
  port?: number;
  pid?: number;
  exitedWith?: string;
  healthy = false;
  rssMb?: number;
  eventLoopLagMs?: number;
  /** Busy request slots / slots over the last second, from the last health check. */
  saturation?: number;
  private failures = 0;
  private child?: ChildProcess;
  private killReason?: string;

  constructor(
    readonly spec: ReplicaSpec,
    private readonly command: ReplicaCommand,
  ) {}

  get id(): string {
    return this.spec.target;
  }
  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://127.0.0.1:${this.port}`;
  }
  get alive(): boolean {
    return this.child !== undefined && this.exitedWith === undefined;
  }

  /** Spawns the process and resolves once it answers its health check. */
  async start(): Promise<void> {
    const child = spawnChild(process.execPath, ['--max-old-space-size=96', ...this.command.args], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        PATH: process.env.PATH,
        FLEET_SERVICE: this.spec.service,
        FLEET_TARGET: this.spec.target,
        FLEET_RELEASE: this.spec.release,
        FLEET_BEHAVIOUR: JSON.stringify(this.spec.behaviour),
        FLEET_DOWNSTREAM: this.spec.downstreamUrl ?? '',
        FLEET_DOWNSTREAM_TIMEOUT_MS: String(this.spec.downstreamTimeoutMs),
      },
    });
    this.child = child;
    this.pid = child.pid;
    const exited = exitOf(child).then((code) => {
      this.exitedWith = this.killReason ? `${code} (${this.killReason})` : String(code);
      this.healthy = false;
      return code;
    });
    const ready = new Promise<number>((resolve) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const match = /^READY (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
    });
    const port = await Promise.race([
      ready,
      exited.then((code) => {
        throw new Error(`replica ${this.id} exited (${code}) while starting`);
      }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`replica ${this.id} did not start within 30 s`)), START_TIMEOUT_MS),
      ),
    ]).catch(async (err: unknown) => {
      await stopChild(child, 1_000);
      throw err;
    });
    this.port = port;
    await this.checkHealth();
    if (!this.healthy) {
      await stopChild(child, 1_000);
      throw new Error(`replica ${this.id} started but failed its first health check`);
    }
  }

  /** SIGTERM, SIGKILL after a second (a hung replica ignores nothing, but may be slow). */
  async stop(): Promise<void> {
    this.healthy = false;
    if (this.child) await stopChild(this.child, 1_000);
  }

  /** Sends SIGKILL, as the memory limit (an OOM killer) does; the reason shows in `exitedWith`. */
  kill(reason: string): void {
    this.killReason = reason;
    this.child?.kill('SIGKILL');
  }

  async checkHealth(): Promise<void> {
    if (!this.alive || !this.url) {
      this.healthy = false;
      return;
    }
    try {
      const reply = await httpJson('GET', `${this.url}/healthz`, undefined, HEALTH_TIMEOUT_MS);
      if (reply.status !== 200) throw new Error(`status ${reply.status}`);
      const body = reply.body as { eventLoopLagMs?: number; rssMb?: number; saturation?: number };
      this.eventLoopLagMs = body.eventLoopLagMs;
      this.saturation = body.saturation;
      this.rssMb = this.readRssMb() ?? body.rssMb;
      this.failures = 0;
      this.healthy = this.alive;
    } catch {
      this.failures++;
      this.eventLoopLagMs = undefined;
      this.saturation = undefined;
      if (this.failures >= UNHEALTHY_AFTER || !this.alive) this.healthy = false;
    }
  }

  /** RSS straight from the kernel: it stays true even when the replica cannot answer. */
  readRssMb(): number | undefined {
    if (!this.alive || this.pid === undefined) return undefined;
    try {
      const pages = Number(readFileSync(`/proc/${this.pid}/statm`, 'utf8').split(' ')[1]);
      return Math.round(((pages * 4096) / 1048576) * 10) / 10;
    } catch {
      return this.rssMb;
    }
  }

  async post(path: string, body: unknown, timeoutMs = 2_000): Promise<unknown> {
    if (!this.url || !this.alive) throw new Error(`replica ${this.id} is not running`);
    const reply = await httpJson('POST', `${this.url}${path}`, body, timeoutMs);
    if (reply.status !== 200) throw new Error(`replica ${this.id} answered ${reply.status} to ${path}`);
    return reply.body;
  }

  async injectFault(fault: ReplicaFault): Promise<void> {
    await this.post('/_fault', { fault });
  }
}
