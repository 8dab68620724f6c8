import http from 'node:http';

/**
 * Synthetic traffic against one URL on loopback: `rate()` requests a second, read every 100 ms and sent
 * at random moments within each 100 ms, never more than `maxInFlight` at once, so an outage cannot make the
 * generator itself pile up. A rate of 0 sends nothing (an idle generator costs one timer).
 */
export class LoadGenerator {
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private carry = 0;
  private running = false;
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
    this.running = true;
    this.timer = setInterval(() => {
      const rps = Math.max(0, this.rate());
      if (rps === 0) {
        this.carry = 0;
        return;
      }
      this.carry += rps / 10;
      while (this.carry >= 1) {
        this.carry--;
        // Spread over the 100 ms, as independent clients would: arrivals locked in phase with another
        // generator's would meet a queue that is always at the same point of its cycle.
        setTimeout(() => {
          if (this.running && this.inFlight < this.maxInFlight) this.fire();
        }, Math.random() * 100);
      }
    }, 100);
  }

  stop(): void {
    this.running = false;
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
