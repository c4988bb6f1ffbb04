import { ConfigError } from '../domain/errors';
import {
  parseConfig,
  parseHookConfig,
  parseQueryConfig,
  parseSettleConfig,
  parseSubmitConfig,
  parseSweepConfig,
} from './config';
import { CONFIG_ENV } from '../testing/builders';

const env = { ...CONFIG_ENV, SWEEP_INTERVAL_SECONDS: '7' };

describe('config readers', () => {
  it('the whole-service reader reads every section, with defaults', () => {
    const config = parseConfig(env);
    expect(config).toMatchObject({
      stage: 'test',
      region: 'us-east-1',
      tables: { payments: 'p', ledger: 'l', idempotency: 'i', partners: 'pa', nonces: 'n' },
      queues: { paymentsUrl: env.PAYMENTS_QUEUE_URL },
      slaSeconds: 15,
      settle: { maxReceiveCount: 5, deadLetterQueueUrl: env.PAYMENTS_DLQ_URL },
      sweep: { intervalSeconds: 7 },
      signatures: { windowSeconds: 300, maxSkewSeconds: 5 },
      partners: { cacheSeconds: 60, rateLimitPerSecond: 50, secretPrefix: 'x/' },
      admission: { capacityPerSecond: 20, budgetSeconds: 7, sampleMs: 1000, observeDrain: false },
      endpoints: {},
      sdk: { connectionTimeoutMs: 300, throwOnRequestTimeout: true },
    });
  });

  it('each function reads only its sections, with the same values as the whole-service reader', () => {
    const all = parseConfig(env);
    const core = { stage: all.stage, region: all.region, endpoints: all.endpoints, sdk: all.sdk };
    const { payments, ledger, idempotency, partners, nonces } = all.tables;
    expect(parseSettleConfig(env)).toEqual({
      ...core,
      tables: { payments, ledger, idempotency },
      queues: all.queues,
      settle: all.settle,
    });
    expect(parseSweepConfig(env)).toEqual({ ...core, tables: { payments }, sweep: all.sweep });
    const query = { ...core, signatures: all.signatures, partners: all.partners };
    expect(parseQueryConfig(env)).toEqual({ ...query, tables: { payments, partners, nonces } });
    expect(parseSubmitConfig(env)).toEqual({
      ...query,
      tables: { payments, partners, nonces },
      queues: all.queues,
      slaSeconds: all.slaSeconds,
      admission: all.admission,
    });
    expect(parseHookConfig(env)).toEqual({ ...core, tables: { payments, ledger, partners }, slaSeconds: 15 });
  });

  it('a variable a function does not use is not required by it', () => {
    expect(parseSweepConfig({ STAGE: 's', PAYMENTS_TABLE: 'p' }).tables).toEqual({ payments: 'p' });
    const settle = { STAGE: 's', PAYMENTS_TABLE: 'p', LEDGER_TABLE: 'l', IDEMPOTENCY_TABLE: 'i' };
    // Settle calls ChangeMessageVisibility on the payments queue: it needs the queue URL.
    expect(() => parseSettleConfig(settle)).toThrow(/PAYMENTS_QUEUE_URL/);
    // ...and sends a poison message to the dead-letter queue itself: the DLQ URL too.
    expect(() => parseSettleConfig({ ...settle, PAYMENTS_QUEUE_URL: 'q' })).toThrow(/PAYMENTS_DLQ_URL/);
    const read = parseSettleConfig({ ...settle, PAYMENTS_QUEUE_URL: 'q', PAYMENTS_DLQ_URL: 'd' });
    expect(read.queues).toEqual({ paymentsUrl: 'q' });
    expect(read.settle).toEqual({ maxReceiveCount: 5, deadLetterQueueUrl: 'd' });
    const query = { STAGE: 's', PAYMENTS_TABLE: 'p', PARTNERS_TABLE: 'pa', NONCES_TABLE: 'n' };
    expect(parseQueryConfig({ ...query, PARTNER_SECRET_PREFIX: 'x/' }).tables).toEqual({
      payments: 'p',
      partners: 'pa',
      nonces: 'n',
    });
  });

  it('refuses an invalid configuration with every issue of every section in one ConfigError', () => {
    const bad = {
      ...env,
      STAGE: '',
      PAYMENTS_TABLE: undefined,
      SLA_SECONDS: '0',
      RTP_SQS_ENDPOINT: 'no url',
    };
    expect(() => parseConfig(bad)).toThrow(ConfigError);
    const message = (() => {
      try {
        parseConfig(bad);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid configuration: /);
    for (const name of ['STAGE', 'PAYMENTS_TABLE', 'SLA_SECONDS', 'RTP_SQS_ENDPOINT']) {
      expect(message).toContain(`${name}: `);
    }
    expect(() => parseSweepConfig({ ...env, SWEEP_INTERVAL_SECONDS: '61' })).toThrow(
      /SWEEP_INTERVAL_SECONDS/,
    );
  });
});
