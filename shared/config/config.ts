import * as z from 'zod/mini';
import { ConfigError } from '../domain/errors';

/**
 * The service's runtime configuration: read from the environment ONCE per container (at cold
 * start), validated, then passed around. Each function reads only the sections it uses
 * (`readSettleConfig()`, `readSweepConfig()`, `readSubmitConfig()`, `readQueryConfig()`,
 * `readHookConfig()`), so a variable one function does not need can neither be missing for it nor
 * make it build a client it does not use. `parseConfig()` reads every section (the whole service:
 * the tests and the local tools).
 * Values come from serverless.yml (`provider.environment` / per-function `environment`), whose
 * per-stage values live in serverless.yml `params`.
 *
 * process.env is read here and in four other places only, each for its own concern: the
 * observability settings (shared/observability/settings.ts), the release wing's config
 * (release/wiring/config.ts), and the Lambda runtime's own variables AWS_LAMBDA_FUNCTION_NAME and
 * LAMBDA_TASK_ROOT (shared/iso20022/schema/index.ts, validator.ts: where the schema worker runs).
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

type Env = Record<string, string | undefined>;

/** One section of the configuration: the variables it reads and the shape it gives them. */
interface Section<T> {
  readonly parse: (env: Env, issues: string[]) => T | undefined;
}

function section<S extends z.ZodMiniObject, T>(schema: S, shape: (e: z.output<S>) => T): Section<T> {
  return {
    parse: (env, issues) => {
      const parsed = schema.safeParse(env);
      if (parsed.success) return shape(parsed.data);
      issues.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return undefined;
    },
  };
}

const core = section(
  z.object({
    STAGE: text,
    AWS_REGION: z._default(text, 'us-east-1'),
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
  }),
  (e): CoreConfig => ({
    stage: e.STAGE,
    region: e.AWS_REGION,
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
  }),
);

const TABLE_VARIABLES = {
  payments: 'PAYMENTS_TABLE',
  ledger: 'LEDGER_TABLE',
  idempotency: 'IDEMPOTENCY_TABLE',
  partners: 'PARTNERS_TABLE',
  nonces: 'NONCES_TABLE',
} as const;
type TableName = keyof typeof TABLE_VARIABLES;

/** The names of the given tables only (each a required variable). */
function tables<K extends TableName>(...names: K[]): Section<Pick<Config['tables'], K>> {
  const schema = z.object(Object.fromEntries(names.map((name) => [TABLE_VARIABLES[name], text])));
  return section(
    schema,
    (e) =>
      Object.fromEntries(names.map((name) => [name, e[TABLE_VARIABLES[name]]])) as Pick<Config['tables'], K>,
  );
}

const queues = section(z.object({ PAYMENTS_QUEUE_URL: text }), (e) => ({
  paymentsUrl: e.PAYMENTS_QUEUE_URL,
}));
const sla = section(z.object({ SLA_SECONDS: intIn(1, 60, 15) }), (e) => e.SLA_SECONDS);
const settle = section(
  z.object({
    SETTLE_MAX_RECEIVE_COUNT: intIn(1, 1000, 5),
    /** The payments DLQ: settle sends a poison message there at once (shared/edges/queue/dead-letter.ts). */
    PAYMENTS_DLQ_URL: text,
  }),
  (e) => ({ maxReceiveCount: e.SETTLE_MAX_RECEIVE_COUNT, deadLetterQueueUrl: e.PAYMENTS_DLQ_URL }),
);
const sweep = section(z.object({ SWEEP_INTERVAL_SECONDS: intIn(1, 60, 5) }), (e) => ({
  intervalSeconds: e.SWEEP_INTERVAL_SECONDS,
}));
const signatures = section(
  z.object({ SIGNATURE_WINDOW_SECONDS: intIn(1, 3600, 300), SIGNATURE_MAX_SKEW_SECONDS: intIn(0, 60, 5) }),
  (e) => ({ windowSeconds: e.SIGNATURE_WINDOW_SECONDS, maxSkewSeconds: e.SIGNATURE_MAX_SKEW_SECONDS }),
);
const partners = section(
  z.object({
    PARTNER_CACHE_SECONDS: intIn(0, 3600, 60),
    PARTNER_RATE_LIMIT_PER_SECOND: intIn(1, 100_000, 50),
    PARTNER_SECRET_PREFIX: text,
    /** Local stage only: JSON file standing in for Secrets Manager. Empty on AWS. */
    RTP_LOCAL_SECRETS_FILE: optionalText,
  }),
  (e): Config['partners'] => ({
    cacheSeconds: e.PARTNER_CACHE_SECONDS,
    rateLimitPerSecond: e.PARTNER_RATE_LIMIT_PER_SECOND,
    secretPrefix: e.PARTNER_SECRET_PREFIX,
    ...(e.RTP_LOCAL_SECRETS_FILE ? { localSecretsFile: e.RTP_LOCAL_SECRETS_FILE } : {}),
  }),
);
const admission = section(
  z.object({
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
  }),
  (e): Config['admission'] => ({
    capacityPerSecond: e.SETTLE_CAPACITY_PER_SECOND,
    budgetSeconds: e.ADMISSION_BUDGET_SECONDS,
    sampleMs: e.ADMISSION_SAMPLE_MS,
    observeDrain: e.ADMISSION_OBSERVE_DRAIN,
    shedBeforeAuth: e.ADMISSION_SHED_BEFORE_AUTH,
  }),
);

/** What every function reads: stage, region, endpoints of the local stand-ins, SDK client bounds. */
export interface CoreConfig {
  readonly stage: string;
  readonly region: string;
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

/** The whole service's configuration: every section. */
export interface Config extends CoreConfig {
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
  readonly settle: { readonly maxReceiveCount: number; readonly deadLetterQueueUrl: string };
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
}

/** Settle (SQS consumer): the ledger transaction, idempotency records, the queue's visibility, the DLQ. */
export interface SettleConfig extends CoreConfig {
  readonly tables: Pick<Config['tables'], 'payments' | 'ledger' | 'idempotency'>;
  readonly queues: Config['queues'];
  readonly settle: Config['settle'];
}

/** Deadline sweeper: the payments table only (no queue, no SQS client). */
export interface SweepConfig extends CoreConfig {
  readonly tables: Pick<Config['tables'], 'payments'>;
  readonly sweep: Config['sweep'];
}

/** Partner authentication, shared by the HTTP functions. */
export interface PartnerAuthConfig extends CoreConfig {
  readonly tables: Pick<Config['tables'], 'partners' | 'nonces'>;
  readonly signatures: Config['signatures'];
  readonly partners: Config['partners'];
}

/** Reads of a partner's payments (get-payment, payment-status-request): no queue. */
export interface QueryConfig extends PartnerAuthConfig {
  readonly tables: Pick<Config['tables'], 'payments' | 'partners' | 'nonces'>;
}

/** Submit: intake, the settlement queue and admission control. */
export interface SubmitConfig extends QueryConfig {
  readonly queues: Config['queues'];
  readonly slaSeconds: number;
  readonly admission: Config['admission'];
}

/** The pre-traffic hook's probe store. */
export interface HookConfig extends CoreConfig {
  readonly tables: Pick<Config['tables'], 'payments' | 'ledger' | 'partners'>;
  readonly slaSeconds: number;
}

/** Parses with `read`, which takes the sections it needs; every issue of every section in one error. */
function parseSections<T>(env: Env, read: (take: <S>(s: Section<S>) => S) => T): T {
  const issues: string[] = [];
  // A failed section gives undefined; the result is thrown away below, never used.
  const result = read((s) => s.parse(env, issues) as never);
  if (issues.length > 0) throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  return result;
}

const ALL_TABLES = tables('payments', 'ledger', 'idempotency', 'partners', 'nonces');

export function parseConfig(env: Env): Config {
  return parseSections(env, (take) => ({
    ...take(core),
    tables: take(ALL_TABLES),
    queues: take(queues),
    slaSeconds: take(sla),
    admission: take(admission),
    settle: take(settle),
    sweep: take(sweep),
    signatures: take(signatures),
    partners: take(partners),
  }));
}

const SETTLE_TABLES = tables('payments', 'ledger', 'idempotency');
export function parseSettleConfig(env: Env): SettleConfig {
  return parseSections(env, (take) => ({
    ...take(core),
    tables: take(SETTLE_TABLES),
    queues: take(queues),
    settle: take(settle),
  }));
}

const SWEEP_TABLES = tables('payments');
export function parseSweepConfig(env: Env): SweepConfig {
  return parseSections(env, (take) => ({ ...take(core), tables: take(SWEEP_TABLES), sweep: take(sweep) }));
}

const QUERY_TABLES = tables('payments', 'partners', 'nonces');
export function parseQueryConfig(env: Env): QueryConfig {
  return parseSections(env, (take) => ({
    ...take(core),
    tables: take(QUERY_TABLES),
    signatures: take(signatures),
    partners: take(partners),
  }));
}

export function parseSubmitConfig(env: Env): SubmitConfig {
  return parseSections(env, (take) => ({
    ...take(core),
    tables: take(QUERY_TABLES),
    queues: take(queues),
    slaSeconds: take(sla),
    admission: take(admission),
    signatures: take(signatures),
    partners: take(partners),
  }));
}

const HOOK_TABLES = tables('payments', 'ledger', 'partners');
export function parseHookConfig(env: Env): HookConfig {
  return parseSections(env, (take) => ({ ...take(core), tables: take(HOOK_TABLES), slaSeconds: take(sla) }));
}

/** A reader that parses process.env on its first call and answers the same object afterwards. */
function once<T>(parse: (env: Env) => T): () => T {
  let cached: T | undefined;
  return () => (cached ??= parse(process.env));
}

/** Each function's configuration, parsed from process.env on first use (once per container). */
export const readSettleConfig = once(parseSettleConfig);
export const readSweepConfig = once(parseSweepConfig);
export const readQueryConfig = once(parseQueryConfig);
export const readSubmitConfig = once(parseSubmitConfig);
export const readHookConfig = once(parseHookConfig);
