import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_BIN } from '../../scripts/setup.d/35-prometheus';
import { startDaemon, type RunningDaemon } from '../harness/daemonProcess';

export type RunningPrometheus = RunningDaemon;

/**
 * A real Prometheus on a free loopback port, its TSDB in a temp dir, scraping each of `targets`
 * (`host:port`, path /metrics) every second. Never the system service the package may have installed;
 * it cannot outlive the test process (see startDaemon).
 */
export async function startPrometheus(targets: readonly string[]): Promise<RunningPrometheus> {
  return await startDaemon({
    name: 'prometheus',
    bin: PROMETHEUS_BIN,
    setupStep: 'scripts/setup.d/35-prometheus.ts',
    readyPath: '/-/ready',
    prepare(dir, listen) {
      const config = [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: fleet',
        '    static_configs:',
        `      - targets: ${JSON.stringify(targets)}`,
        '',
      ].join('\n');
      writeFileSync(join(dir, 'prometheus.yml'), config);
      return [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${listen}`,
        '--log.level=warn',
      ];
    },
  });
}
