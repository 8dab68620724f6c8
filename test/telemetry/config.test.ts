import { ConfigError, loadConfig } from '../../core/model/config';
import { otlpTracesUrl, resolveLogFormat } from '../../core/model/telemetryConfig';
import { createLogger, prettyLine, SdkLogAdapter, sdkFields } from '../../workers/logging';
import { metricsUrl, runtimeOptions } from '../../workers/telemetry';

/** The telemetry settings and the pure parts of the logging set-up: no server involved. */
describe('telemetry configuration', () => {
  it('defaults to info logs, no SDK metrics port and tracing off', () => {
    const { telemetry } = loadConfig({});
    expect(telemetry).toEqual({ logLevel: 'info', tracing: { enabled: false, serviceName: 'homeostat' } });
    expect(resolveLogFormat(telemetry, true)).toBe('pretty');
    expect(resolveLogFormat(telemetry, false)).toBe('json');
    expect(runtimeOptions(telemetry).telemetryOptions?.metrics).toBeUndefined();
  });

  it('reads its environment variables', () => {
    const { telemetry } = loadConfig({
      HOMEOSTAT_LOG_LEVEL: 'debug',
      HOMEOSTAT_LOG_FORMAT: 'json',
      HOMEOSTAT_METRICS_BIND_ADDRESS: '0.0.0.0:9464',
      HOMEOSTAT_TRACING: 'true',
      HOMEOSTAT_OTLP_ENDPOINT: 'http://collector:4318/',
      HOMEOSTAT_SERVICE_NAME: 'homeostat-eu',
    });
    expect(telemetry).toEqual({
      logLevel: 'debug',
      logFormat: 'json',
      metricsBindAddress: '0.0.0.0:9464',
      tracing: { enabled: true, otlpEndpoint: 'http://collector:4318/', serviceName: 'homeostat-eu' },
    });
    expect(resolveLogFormat(telemetry, true)).toBe('json');
    expect(otlpTracesUrl(telemetry.tracing.otlpEndpoint!)).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example.com/v1/traces')).toBe('https://otel.example.com/v1/traces');
    expect(runtimeOptions(telemetry).telemetryOptions?.metrics).toEqual({
      prometheus: { bindAddress: '0.0.0.0:9464' },
    });
    expect(metricsUrl('0.0.0.0:9464')).toBe('http://127.0.0.1:9464/metrics');
    expect(metricsUrl('[::1]:9464')).toBe('http://[::1]:9464/metrics');
  });

  it.each([
    ['HOMEOSTAT_LOG_LEVEL', 'loud'],
    ['HOMEOSTAT_LOG_FORMAT', 'xml'],
    ['HOMEOSTAT_METRICS_BIND_ADDRESS', '9464'],
    ['HOMEOSTAT_METRICS_BIND_ADDRESS', '127.0.0.1:99999'],
    ['HOMEOSTAT_TRACING', 'yes'],
    ['HOMEOSTAT_OTLP_ENDPOINT', 'collector:4318'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('logging', () => {
  function captured(level: 'info' | 'debug' = 'info') {
    const lines: string[] = [];
    const logger = createLogger({
      level,
      format: 'json',
      destination: { write: (l: string) => lines.push(l) },
    });
    return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  it("turns the SDK's meta into fields: an incident's id named, the task token and symbols dropped", () => {
    const meta = {
      sdkComponent: 'activity',
      workflowType: 'incidentWorkflow',
      workflowId: 'incident:checkout',
      activityType: 'recordOutcome',
      taskToken: 'c2VjcmV0',
      attempt: 1,
      [Symbol('timestamp')]: 1n,
      sequence: 2n,
    };
    expect(sdkFields(meta)).toEqual({
      sdkComponent: 'activity',
      workflowType: 'incidentWorkflow',
      workflowId: 'incident:checkout',
      incidentId: 'incident:checkout',
      activityType: 'recordOutcome',
      attempt: 1,
      sequence: '2',
    });
    // Not every workflow is an incident: the detector's lines carry no incidentId.
    expect(
      sdkFields({ workflowType: 'detectorWorkflow', workflowId: 'homeostat-detector' }),
    ).not.toHaveProperty('incidentId');
  });

  it("writes the SDK's calls at their level, below the logger's level dropped", () => {
    const { logger, records } = captured('info');
    const sdk = new SdkLogAdapter(() => logger);
    sdk.debug('not shown', { workflowId: 'w' });
    sdk.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    sdk.log('ERROR', 'Activity failed', { error: new Error('boom'), activityType: 'executeAction' });
    const [info, error, ...rest] = records();
    expect(rest).toEqual([]);
    expect(info).toMatchObject({
      level: 'info',
      msg: 'Worker state changed',
      sdkComponent: 'worker',
      service: 'homeostat',
    });
    expect(error).toMatchObject({ level: 'error', msg: 'Activity failed', activityType: 'executeAction' });
    expect((error!.err as { message: string; stack: string }).message).toBe('boom');
    expect(typeof info!.time).toBe('string');
  });

  it('prints one readable line per record in the pretty format', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 'warn',
        time: '2026-12-02T18:00:01.234Z',
        service: 'homeostat',
        pid: 1,
        hostname: 'h',
        component: 'webhook',
        msg: 'Temporal did not accept the delivery',
        source: 'alertmanager',
        attempt: 2,
      }),
    );
    expect(line).toBe(
      '18:00:01.234 WARN  [webhook] Temporal did not accept the delivery source=alertmanager attempt=2\n',
    );
    expect(prettyLine('not json')).toBe('not json\n');
  });
});
