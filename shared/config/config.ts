import * as z from 'zod/mini';
import { ConfigError } from '../domain/errors';

/**
 * The service's runtime configuration: read from the environment ONCE (at cold start),
 * validated, then passed around. Nothing else in the code base reads process.env.
 * Values come from serverless.yml (`provider.environment` / per-function `environment`), whose
 * per-stage values live in serverless.yml `params`.
 */
/** Empty or absent means "not set" (serverless.yml sets '' on AWS stages). */
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
);
const optionalUrl = z.pipe(optionalText, z.optional(z.url()));
const text = z.string().check(z.minLength(1));
const intIn = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback);

const flag = z.pipe(
  z._default(z.enum(['true', 'false', '']), 'false'),
  z.transform((v) => v === 'true'),
);

const ConfigSchema = z.object({
  STAGE: text,
  AWS_REGION: z._default(text, 'us-east-1'),
  PAYMENTS_TABLE: text,
  LEDGER_TABLE: text,
  IDEMPOTENCY_TABLE: text,
  PARTNERS_TABLE: text,
  NONCES_TABLE: text,
  PAYMENTS_QUEUE_URL: text,
  SLA_SECONDS: intIn(1, 60, 15),
  SETTLE_MAX_RECEIVE_COUNT: intIn(1, 1000, 5),
  SWEEP_INTERVAL_SECONDS: intIn(1, 60, 5),
  SIGNATURE_WINDOW_SECONDS: intIn(1, 3600, 300),
  SIGNATURE_MAX_SKEW_SECONDS: intIn(0, 60, 5),
  PARTNER_CACHE_SECONDS: intIn(0, 3600, 60),
  PARTNER_RATE_LIMIT_PER_SECOND: intIn(1, 100_000, 50),
  PARTNER_SECRET_PREFIX: text,
  /** Admission control (shared/domain/admission.ts): settle rate the stage sustains, payments/s. */
  SETTLE_CAPACITY_PER_SECOND: z._default(z.coerce.number().check(z.gt(0), z.lte(100_000)), 20),
  /** Seconds a new payment may wait on the queue and still be terminal within the SLO. */
  ADMISSION_BUDGET_SECONDS: z._default(z.coerce.number().check(z.gt(0), z.lte(60)), 7),
  /** Longest age of the cached queue backlog sample, ms (one GetQueueAttributes per this per container). */
  ADMISSION_SAMPLE_MS: intIn(100, 60_000, 1_000),
  /** Refine the capacity from the drain observed between samples (right with one container only). */
  ADMISSION_OBSERVE_DRAIN: flag,
  /** Refuse past the budget before authenticating (saves its writes; resends then get 503 too). */
  ADMISSION_SHED_BEFORE_AUTH: flag,
  /** Local stage only: JSON file standing in for Secrets Manager. Empty on AWS. */
  RTP_LOCAL_SECRETS_FILE: optionalText,
  RTP_DYNAMODB_ENDPOINT: optionalUrl,
  RTP_SQS_ENDPOINT: optionalUrl,
  /** AWS SDK client timeouts (shared/adapters/aws-clients.ts has the reasoning behind the defaults). */
  RTP_SDK_CONNECTION_TIMEOUT_MS: intIn(50, 60_000, 300),
  RTP_DYNAMODB_REQUEST_TIMEOUT_MS: intIn(100, 60_000, 800),
  RTP_DYNAMODB_MAX_ATTEMPTS: intIn(1, 10, 2),
  RTP_SQS_REQUEST_TIMEOUT_MS: intIn(100, 60_000, 2_000),
  RTP_SQS_MAX_ATTEMPTS: intIn(1, 10, 3),
  /** 'false': a request past its requestTimeout is only logged (the SDK's default), not cut. */
  RTP_SDK_THROW_ON_REQUEST_TIMEOUT: z._default(z.enum(['true', 'false']), 'true'),
});

export interface Config {
  readonly stage: string;
  readonly region: string;
  readonly tables: {
    readonly payments: string;
    readonly ledger: string;
    readonly idempotency: string;
    readonly partners: string;
    readonly nonces: string;
  };
  readonly queues: { readonly paymentsUrl: string };
  readonly slaSeconds: number;
  readonly admission: {
    readonly capacityPerSecond: number;
    readonly budgetSeconds: number;
    readonly sampleMs: number;
    readonly observeDrain: boolean;
    readonly shedBeforeAuth: boolean;
  };
  readonly settle: { readonly maxReceiveCount: number };
  readonly sweep: { readonly intervalSeconds: number };
  readonly signatures: { readonly windowSeconds: number; readonly maxSkewSeconds: number };
  readonly partners: {
    readonly cacheSeconds: number;
    /** Default requests per second per partner (a partner profile may set its own). */
    readonly rateLimitPerSecond: number;
    /** Secrets Manager name prefix of partner HMAC secrets (`<prefix><keyId>`). */
    readonly secretPrefix: string;
    readonly localSecretsFile?: string;
  };
  /** Endpoint overrides for the local stand-ins; undefined on AWS. */
  readonly endpoints: { readonly dynamodb?: string; readonly sqs?: string };
  /** AWS SDK client timeouts and attempts per call (aws-clients.ts). */
  readonly sdk: {
    readonly connectionTimeoutMs: number;
    /** Cut a request past its requestTimeout (true in production; the SDK only warns by default). */
    readonly throwOnRequestTimeout: boolean;
    readonly dynamodb: { readonly requestTimeoutMs: number; readonly maxAttempts: number };
    readonly sqs: { readonly requestTimeoutMs: number; readonly maxAttempts: number };
  };
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const e = parsed.data;
  return {
    stage: e.STAGE,
    region: e.AWS_REGION,
    tables: {
      payments: e.PAYMENTS_TABLE,
      ledger: e.LEDGER_TABLE,
      idempotency: e.IDEMPOTENCY_TABLE,
      partners: e.PARTNERS_TABLE,
      nonces: e.NONCES_TABLE,
    },
    queues: { paymentsUrl: e.PAYMENTS_QUEUE_URL },
    slaSeconds: e.SLA_SECONDS,
    admission: {
      capacityPerSecond: e.SETTLE_CAPACITY_PER_SECOND,
      budgetSeconds: e.ADMISSION_BUDGET_SECONDS,
      sampleMs: e.ADMISSION_SAMPLE_MS,
      observeDrain: e.ADMISSION_OBSERVE_DRAIN,
      shedBeforeAuth: e.ADMISSION_SHED_BEFORE_AUTH,
    },
    settle: { maxReceiveCount: e.SETTLE_MAX_RECEIVE_COUNT },
    sweep: { intervalSeconds: e.SWEEP_INTERVAL_SECONDS },
    signatures: { windowSeconds: e.SIGNATURE_WINDOW_SECONDS, maxSkewSeconds: e.SIGNATURE_MAX_SKEW_SECONDS },
    partners: {
      cacheSeconds: e.PARTNER_CACHE_SECONDS,
      rateLimitPerSecond: e.PARTNER_RATE_LIMIT_PER_SECOND,
      secretPrefix: e.PARTNER_SECRET_PREFIX,
      ...(e.RTP_LOCAL_SECRETS_FILE ? { localSecretsFile: e.RTP_LOCAL_SECRETS_FILE } : {}),
    },
    endpoints: {
      ...(e.RTP_DYNAMODB_ENDPOINT ? { dynamodb: e.RTP_DYNAMODB_ENDPOINT } : {}),
      ...(e.RTP_SQS_ENDPOINT ? { sqs: e.RTP_SQS_ENDPOINT } : {}),
    },
    sdk: {
      connectionTimeoutMs: e.RTP_SDK_CONNECTION_TIMEOUT_MS,
      throwOnRequestTimeout: e.RTP_SDK_THROW_ON_REQUEST_TIMEOUT === 'true',
      dynamodb: {
        requestTimeoutMs: e.RTP_DYNAMODB_REQUEST_TIMEOUT_MS,
        maxAttempts: e.RTP_DYNAMODB_MAX_ATTEMPTS,
      },
      sqs: { requestTimeoutMs: e.RTP_SQS_REQUEST_TIMEOUT_MS, maxAttempts: e.RTP_SQS_MAX_ATTEMPTS },
    },
  };
}

let cached: Config | undefined;

/** The process-wide configuration, parsed from process.env on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
