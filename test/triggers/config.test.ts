import { loadConfig } from '../../core/model/config';
import { urlHostAllowed } from '../../triggers/auth/snsSignature';
import { DEFAULT_SNS_CERT_HOSTS } from '../../core/model/webhookConfig';

describe('webhook configuration', () => {
  it('reads secrets from the environment, lists comma-separated, and fails closed by default', () => {
    const cfg = loadConfig({
      HOMEOSTAT_ALERTMANAGER_TOKEN: 'a-long-enough-token-0123',
      HOMEOSTAT_PAGERDUTY_SECRET: 'pagerduty-secret-0000000001, pagerduty-secret-0000000002',
      HOMEOSTAT_SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:alarms',
      HOMEOSTAT_GENERIC_OPEN: 'true',
    }).webhook;
    expect(cfg.alertmanager.token).toBe('a-long-enough-token-0123');
    expect(cfg.pagerduty.secrets).toEqual(['pagerduty-secret-0000000001', 'pagerduty-secret-0000000002']);
    expect(cfg.cloudwatch.topicArns).toHaveLength(1);
    expect(cfg.cloudwatch.certHosts).toEqual(DEFAULT_SNS_CERT_HOSTS);
    expect(cfg.generic.open).toBe(true);
    expect(cfg.grafana.open).toBe(false);
    expect(cfg.grafana.secret).toBeUndefined();
    expect(cfg.operatorToken).toBeUndefined();
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ HOMEOSTAT_OPERATOR_TOKEN: 'short' })).toThrow(
      /HOMEOSTAT_OPERATOR_TOKEN.*at least 16/,
    );
    expect(() => loadConfig({ HOMEOSTAT_WEBHOOK_BODY_LIMIT_BYTES: 'lots' })).toThrow(
      /HOMEOSTAT_WEBHOOK_BODY_LIMIT_BYTES/,
    );
    expect(() => loadConfig({ HOMEOSTAT_GENERIC_SECRETS: 'not-a-whsec-secret' })).toThrow(
      /webhook\.generic\.secrets.*whsec_/,
    );
    expect(() => loadConfig({ HOMEOSTAT_SNS_TOPIC_ARNS: 'alarms' })).toThrow(
      /webhook\.cloudwatch\.topicArns.*SNS topic ARN/,
    );
    expect(() => loadConfig({ HOMEOSTAT_ALERTMANAGER_USERNAME: 'am' })).toThrow(
      /HOMEOSTAT_ALERTMANAGER_PASSWORD/,
    );
  });
});

describe('SNS URL allow-list', () => {
  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://sns.cn-north-1.amazonaws.com.cn/x.pem', true],
    ['http://sns.us-east-1.amazonaws.com/x.pem', false],
    ['https://sns.us-east-1.amazonaws.com.evil.example/x.pem', false],
    ['https://evil.example/sns.us-east-1.amazonaws.com/x.pem', false],
    ['https://sns.amazonaws.com/x.pem', false],
    ['https://user@sns.us-east-1.amazonaws.com/x.pem', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(urlHostAllowed(url, DEFAULT_SNS_CERT_HOSTS)).toBe(allowed);
  });

  it('allows plain http only on a loopback host the allow-list names (tests)', () => {
    expect(urlHostAllowed('http://127.0.0.1:8080/c.pem', ['127.0.0.1'])).toBe(true);
    expect(urlHostAllowed('http://127.0.0.1:8080/c.pem', DEFAULT_SNS_CERT_HOSTS)).toBe(false);
    expect(urlHostAllowed('http://10.0.0.1/c.pem', ['10.0.0.1'])).toBe(false);
  });
});
