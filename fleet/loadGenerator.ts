import http from 'node:http';

/**
 * Synthetic traffic against one URL on loopback: `rate()` requests a second, read every 100 ms and sent
 * in 10 small bursts a second, never more than `maxInFlight` at once, so an outage cannot make the
 * generator itself pile up. A rate of 0 sends nothing (an idle generator costs one timer).
 */
export class LoadGenerator {
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private carry = 0;
  private readonly agent: http.Agent;
  private readonly rate: () => number;

  constructor(
    private readonly url: string,
    rps: number | (() => number),
    private readonly timeoutMs = 5_000,
    private readonly maxInFlight = 100,
  ) {
    this.rate = typeof rps === 'number' ? () => rps : rps;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(64, maxInFlight) });
  }

  start(): void {
    this.timer = setInterval(() => {
      const rps = Math.max(0, this.rate());
      if (rps === 0) {
        this.carry = 0;
        return;
      }
      this.carry += rps / 10;
      while (this.carry >= 1) {
        this.carry--;
        if (this.inFlight < this.maxInFlight) this.fire();
      }
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.agent.destroy();
  }

  private fire(): void {
    this.inFlight++;
    let done = false;
    const settle = (): void => {
      if (!done) this.inFlight--;
      done = true;
    };
    const req = http.get(this.url, { agent: this.agent, timeout: this.timeoutMs }, (res) => {
      res.resume();
      res.on('end', settle);
      res.on('close', settle);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', settle);
    req.on('close', settle);
  }
}
