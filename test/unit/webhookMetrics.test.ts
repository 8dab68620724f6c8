import { WebhookMetrics } from '../../triggers/metrics';

describe('the incidents gauge of /metrics', () => {
  it('shares one round of counts between scrapes close together, and leaves the gauge out when counting fails', async () => {
    const asked: string[] = [];
    let failing = false;
    let clock = Date.parse('2026-12-01T10:00:00Z'); // the count cache's clock: the test moves it
    const metrics = new WebhookMetrics(
      async (query) => {
        asked.push(query);
        if (failing) throw new Error('Temporal unreachable');
        return query.includes('recovered') ? 3 : 1;
      },
      () => clock,
    );
    const scrapes = await Promise.all(Array.from({ length: 5 }, () => metrics.registry.metrics()));
    expect(asked).toHaveLength(5); // open + 4 outcomes, once
    expect(scrapes[4]).toMatch(/^homeostat_incidents\{outcome="recovered"\} 3$/m);
    expect(scrapes[4]).toMatch(/^homeostat_incidents\{outcome="open"\} 1$/m);

    clock += 1_999; // still within the cache: no new round
    await metrics.registry.metrics();
    expect(asked).toHaveLength(5);

    failing = true;
    clock += 1; // the cache (2 s) has run out: the next scrape counts again
    const failed = await metrics.registry.metrics();
    expect(failed).not.toMatch(/^homeostat_incidents\{/m);
    expect(failed).toMatch(/homeostat_webhook_requests_total/); // the rest of the scrape still works
    failing = false;
    expect(await metrics.registry.metrics()).toMatch(/^homeostat_incidents\{outcome="recovered"\} 3$/m);
  });
});
