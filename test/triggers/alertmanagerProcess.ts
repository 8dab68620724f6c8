import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERTMANAGER_BIN } from '../../scripts/setup.d/30-alertmanager';
import { startDaemon, type RunningDaemon } from '../harness/daemonProcess';

export type RunningAlertmanager = RunningDaemon;

/**
 * A real Alertmanager on a free loopback port, clustering off, state in a temp dir, with one webhook
 * receiver pointing at `webhookUrl` (bearer auth) and short group timings so a test sees notifications
 * within seconds. It cannot outlive the test process (see startDaemon).
 */
export async function startAlertmanager(webhookUrl: string, token: string): Promise<RunningAlertmanager> {
  return await startDaemon({
    name: 'alertmanager',
    bin: ALERTMANAGER_BIN,
    setupStep: 'scripts/setup.d/30-alertmanager.ts',
    readyPath: '/-/ready',
    prepare(dir, listen) {
      const config = [
        'route:',
        '  receiver: homeostat',
        "  group_by: ['alertname', 'service']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: homeostat',
        '    webhook_configs:',
        `      - url: ${JSON.stringify(webhookUrl)}`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${JSON.stringify(token)}`,
        '',
      ].join('\n');
      writeFileSync(join(dir, 'alertmanager.yml'), config);
      return [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=${listen}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ];
    },
  });
}
