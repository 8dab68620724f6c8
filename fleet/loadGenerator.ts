import http from 'node:http';

/**
 * Steady synthetic traffic against one URL on loopback: `rps` requests a second in 10 small bursts,
 * never more than `maxInFlight` at once, so an outage cannot make the generator itself pile up.
 */
export class LoadGenerator {
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private carry = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly url: string,
    private readonly rps: number,
    private readonly timeoutMs = 5_000,
    private readonly maxInFlight = 100,
  ) {}

  start(): void {
    if (this.rps <= 0) return;
    this.timer = setInterval(() => {
      this.carry += this.rps / 10;
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
