/**
 * The benchmark's options: defaults, the command-line flags (node:util parseArgs) and their
 * validation. One place, so `npm run bench` and the smoke test agree on what a run means.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../local/paths';

export type PaymentForm = 'xml' | 'json' | 'simple' | 'mix';
export type SigningAlg = 'ed25519' | 'hmac-sha256';
export type SkippablePhase = 'bundles' | 'schema' | 'capacity' | 'report';

export interface BenchOptions {
  /**
   * Offered load, payments per second (open loop: sent on schedule whatever the latency), or
   * `auto`: half the measured DynamoDB Local settlement capacity (the target's operating point).
   */
  readonly rate: number | 'auto';
  readonly durationSeconds: number;
  /** Funded accounts, spread over the partners (debtors and creditors). */
  readonly accounts: number;
  /** Simulated partner institutions, each with its own routing number and signing key. */
  readonly partners: number;
  /** Share of payments crediting one hot account (item contention on the ledger). */
  readonly hotShare: number;
  /** Share of deliberately invalid messages (answered 400, never recorded). */
  readonly invalidShare: number;
  /** Share of payments from an empty account (accepted, then REJECTED AM04 by settlement). */
  readonly nsfShare: number;
  /** Concurrent settle invocations (the local SQS poller's concurrency). */
  readonly concurrency: number;
  readonly form: PaymentForm;
  readonly alg: SigningAlg;
  /** Results folder (results.json, report.html). */
  readonly outDir: string;
  /** Drive an already running stack (`npm start`) instead of starting one. */
  readonly url?: string;
  /** Seed of the arrival and payment-mix generator (same seed, same schedule). */
  readonly seed: number;
  /** Payments sent (and settled) before the measured run, to warm code paths and clients. */
  readonly warmup: number;
  /** Upper bound on the wait for every accepted payment to become terminal after the load. */
  readonly drainTimeoutSeconds: number;
  /** Measuring time of each stand-in capacity probe. */
  readonly capacitySeconds: number;
  /** Fresh Node processes per bundle for the module load time (the median is reported). */
  readonly loadRuns: number;
  readonly skip: ReadonlySet<SkippablePhase>;
  /** Print the progress line (off in the smoke test). */
  readonly progress: boolean;
  /**
   * The conflict layer in front of DynamoDB Local (tools/local/emulators/dynamodb-conflicts.ts): transaction
   * conflicts as on AWS. Absent: the local stack's default ($RTP_DYNAMODB_CONFLICTS).
   */
  readonly conflicts?: { readonly transactionLatencyMs: number };
  /** `--knee`: search the knee with a ladder of short steps, then an overload step (knee.ts). */
  readonly knee?: KneeSettings;
  /** `--hot-account`: one hot creditor's settles/s without and with the conflict layer (hot-settle.ts). */
  readonly hotAccount?: { readonly payments: number; readonly concurrency: number };
}

/** The knee search's ladder and overload step (knee.ts holds the search and its verdicts). */
export interface KneeSettings {
  readonly fromPerSecond: number;
  readonly stepPerSecond: number;
  readonly maxPerSecond: number;
  /** Load duration of each step, seconds. */
  readonly stepSeconds: number;
  /** The overload step offers this many times the knee (>= 1.5 for the target). */
  readonly overloadFactor: number;
}

export const DEFAULT_KNEE: KneeSettings = {
  fromPerSecond: 10,
  stepPerSecond: 5,
  maxPerSecond: 80,
  stepSeconds: 20,
  overloadFactor: 1.5,
};

export const DEFAULT_HOT_ACCOUNT = { payments: 300, concurrency: 8 } as const;

/** `--rate auto`: this share of the measured settlement capacity (the target asks for >= 50 %). */
export const AUTO_RATE_SHARE = 0.5;
/** `--rate auto` when the capacity is not measured (--skip capacity). */
export const AUTO_RATE_FALLBACK = 20;

export const DEFAULT_OPTIONS = {
  rate: 10,
  durationSeconds: 60,
  accounts: 1000,
  partners: 4,
  hotShare: 0.05,
  invalidShare: 0.02,
  nsfShare: 0.02,
  concurrency: 4,
  form: 'xml',
  alg: 'ed25519',
  seed: 7,
  warmup: 40,
  drainTimeoutSeconds: 60,
  capacitySeconds: 5,
  loadRuns: 5,
} as const satisfies Partial<BenchOptions>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run bench -- [flags]   (or: npx tsx tools/bench/run.ts [flags])

Load            --rate <per s>|auto      offered payments per second, open loop; auto = ${AUTO_RATE_SHARE * 100} % of the
                                         measured settlement capacity (default ${DEFAULT_OPTIONS.rate})
                --duration <s>           measured load duration (default ${DEFAULT_OPTIONS.durationSeconds})
                --form xml|json|simple|mix  pacs.008 XML, pacs.008 JSON, the simple JSON form, or a third of each (default ${DEFAULT_OPTIONS.form})
                --alg ed25519|hmac-sha256   partner signature algorithm (default ${DEFAULT_OPTIONS.alg})
                --seed <n>               arrival / mix generator seed (default ${DEFAULT_OPTIONS.seed})
                --warmup <n>             payments sent before the measured run (default ${DEFAULT_OPTIONS.warmup})
Data            --accounts <n>           funded accounts (default ${DEFAULT_OPTIONS.accounts})
                --partners <n>           simulated partners (default ${DEFAULT_OPTIONS.partners})
                --hot-share <0..1>       share crediting one hot account (default ${DEFAULT_OPTIONS.hotShare})
                --invalid-share <0..1>   share of deliberately invalid messages (default ${DEFAULT_OPTIONS.invalidShare})
                --nsf-share <0..1>       share from an empty account, rejected AM04 (default ${DEFAULT_OPTIONS.nsfShare})
Pipeline        --concurrency <n>        settle poller concurrency (default ${DEFAULT_OPTIONS.concurrency})
                --conflicts              transaction conflicts as on AWS (a layer in front of DynamoDB Local)
                --conflict-latency <ms>  with --conflicts: extra hold of each transaction's items (default 0)
                --url <http://...>       use a running stack (npm start) instead of starting one
Knee            --knee                   ladder of short steps up to the knee (p99 <= 1 s, no SLA breach),
                                         then an overload step (instead of --rate / --duration)
                --knee-from <per s>      first rung (default ${DEFAULT_KNEE.fromPerSecond})
                --knee-step <per s>      rung spacing (default ${DEFAULT_KNEE.stepPerSecond})
                --knee-max <per s>       top rung (default ${DEFAULT_KNEE.maxPerSecond})
                --step-duration <s>      load duration of each step (default ${DEFAULT_KNEE.stepSeconds})
                --overload-factor <x>    overload step = x times the knee (default ${DEFAULT_KNEE.overloadFactor})
                --hot-account            also: one hot creditor's settles/s, conflict layer off and on
                --hot-payments <n>       payments into the hot account (default ${DEFAULT_HOT_ACCOUNT.payments})
Phases          --capacity-seconds <s>   time of each stand-in capacity probe (default ${DEFAULT_OPTIONS.capacitySeconds})
                --load-runs <n>          fresh processes per bundle load-time measure (default ${DEFAULT_OPTIONS.loadRuns})
                --drain-timeout <s>      bound on the wait for terminal statuses (default ${DEFAULT_OPTIONS.drainTimeoutSeconds})
                --skip bundles,schema,capacity,report   leave phases out
Output          --out <dir>              results folder (default tools/bench/results/<timestamp>)
                --quiet                  no progress line
                --help`;

function timestampFolder(now: Date): string {
  return now
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}

export function defaultOutDir(now = new Date()): string {
  return path.join(repoRoot, 'tools', 'bench', 'results', timestampFolder(now));
}

function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  rule: string,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value))
    throw new UsageError(`--${name} must be ${rule}, got '${raw}'`);
  return value;
}

const positive = (n: number) => n > 0;
const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
const nonNegativeInt = (n: number) => Number.isInteger(n) && n >= 0;
const share = (n: number) => n >= 0 && n <= 1;

function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === raw);
  if (found === undefined)
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return found;
}

function skipList(raw: string | undefined): ReadonlySet<SkippablePhase> {
  const phases = new Set<SkippablePhase>();
  if (raw === undefined) return phases;
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    phases.add(oneOf('skip', item, ['bundles', 'schema', 'capacity', 'report'], 'report'));
  }
  return phases;
}

type FlagValues = Record<string, string | boolean | undefined>;
const str = (values: FlagValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

/** --knee and its settings; the knee flags without --knee, or --rate / --duration with it, are usage errors. */
function kneeFlags(values: FlagValues): KneeSettings | undefined {
  const names = ['knee-from', 'knee-step', 'knee-max', 'step-duration', 'overload-factor'];
  if (values.knee !== true) {
    const stray = names.find((name) => values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} goes with --knee`);
    return undefined;
  }
  if (values.rate !== undefined || values.duration !== undefined)
    throw new UsageError(
      '--knee chooses the rates and durations: use --knee-from/--knee-step/--knee-max/--step-duration',
    );
  const d = DEFAULT_KNEE;
  const rate = (name: string, fallback: number) =>
    numberFlag(name, str(values, name), fallback, positive, 'a positive number');
  const settings: KneeSettings = {
    fromPerSecond: rate('knee-from', d.fromPerSecond),
    stepPerSecond: rate('knee-step', d.stepPerSecond),
    maxPerSecond: rate('knee-max', d.maxPerSecond),
    stepSeconds: rate('step-duration', d.stepSeconds),
    overloadFactor: numberFlag(
      'overload-factor',
      str(values, 'overload-factor'),
      d.overloadFactor,
      (n) => n >= 1,
      'a number >= 1',
    ),
  };
  if (settings.maxPerSecond < settings.fromPerSecond)
    throw new UsageError('--knee-max must be at least --knee-from');
  return settings;
}

function hotAccountFlags(values: FlagValues): BenchOptions['hotAccount'] {
  if (values['hot-account'] !== true) {
    if (values['hot-payments'] !== undefined) throw new UsageError('--hot-payments goes with --hot-account');
    return undefined;
  }
  return {
    payments: numberFlag(
      'hot-payments',
      str(values, 'hot-payments'),
      DEFAULT_HOT_ACCOUNT.payments,
      positiveInt,
      'a positive integer',
    ),
    concurrency: DEFAULT_HOT_ACCOUNT.concurrency,
  };
}

/** Checks cross-field rules (also for options built in code, e.g. by the smoke test). */
export function validateOptions(options: BenchOptions): BenchOptions {
  if (options.hotShare + options.invalidShare + options.nsfShare > 1) {
    throw new UsageError('--hot-share + --invalid-share + --nsf-share must not exceed 1');
  }
  if (options.accounts < 2 * options.partners)
    throw new UsageError('--accounts must be at least twice --partners');
  if (options.url !== undefined) {
    if (options.conflicts !== undefined) {
      throw new UsageError(
        '--conflicts needs the in-process stack; start the other with npm start -- --conflicts',
      );
    }
    if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/.*)?$/.test(options.url)) {
      throw new UsageError('--url must point at 127.0.0.1 or localhost (the bench only sends local traffic)');
    }
    if (options.alg === 'hmac-sha256') {
      throw new UsageError(
        '--alg hmac-sha256 needs the in-process stack (its secrets file); use ed25519 with --url',
      );
    }
  }
  return options;
}

/** Options from command-line arguments; throws UsageError on a bad flag. Returns undefined for --help. */
export function parseBenchArgs(args: readonly string[], now = new Date()): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      accounts: { type: 'string' },
      partners: { type: 'string' },
      'hot-share': { type: 'string' },
      'invalid-share': { type: 'string' },
      'nsf-share': { type: 'string' },
      concurrency: { type: 'string' },
      form: { type: 'string' },
      alg: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      seed: { type: 'string' },
      warmup: { type: 'string' },
      'drain-timeout': { type: 'string' },
      'capacity-seconds': { type: 'string' },
      'load-runs': { type: 'string' },
      skip: { type: 'string' },
      quiet: { type: 'boolean' },
      conflicts: { type: 'boolean' },
      'conflict-latency': { type: 'string' },
      knee: { type: 'boolean' },
      'knee-from': { type: 'string' },
      'knee-step': { type: 'string' },
      'knee-max': { type: 'string' },
      'step-duration': { type: 'string' },
      'overload-factor': { type: 'string' },
      'hot-account': { type: 'boolean' },
      'hot-payments': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values['conflict-latency'] !== undefined && values.conflicts !== true)
    throw new UsageError('--conflict-latency goes with --conflicts');
  if (values.help === true) return undefined;
  const knee = kneeFlags(values);
  const hotAccount = hotAccountFlags(values);
  const d = DEFAULT_OPTIONS;
  return validateOptions({
    rate:
      values.rate === 'auto'
        ? 'auto'
        : numberFlag('rate', values.rate, d.rate, positive, "a positive number or 'auto'"),
    durationSeconds: numberFlag(
      'duration',
      values.duration,
      d.durationSeconds,
      positive,
      'a positive number of seconds',
    ),
    accounts: numberFlag('accounts', values.accounts, d.accounts, positiveInt, 'a positive integer'),
    partners: numberFlag(
      'partners',
      values.partners,
      d.partners,
      (n) => positiveInt(n) && n <= 90,
      'an integer 1-90',
    ),
    hotShare: numberFlag('hot-share', values['hot-share'], d.hotShare, share, 'between 0 and 1'),
    invalidShare: numberFlag(
      'invalid-share',
      values['invalid-share'],
      d.invalidShare,
      share,
      'between 0 and 1',
    ),
    nsfShare: numberFlag('nsf-share', values['nsf-share'], d.nsfShare, share, 'between 0 and 1'),
    concurrency: numberFlag(
      'concurrency',
      values.concurrency,
      d.concurrency,
      positiveInt,
      'a positive integer',
    ),
    form: oneOf('form', values.form, ['xml', 'json', 'simple', 'mix'], d.form),
    alg: oneOf('alg', values.alg, ['ed25519', 'hmac-sha256'], d.alg),
    outDir: path.resolve(values.out ?? defaultOutDir(now)),
    ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
    seed: numberFlag('seed', values.seed, d.seed, nonNegativeInt, 'a non-negative integer'),
    warmup: numberFlag('warmup', values.warmup, d.warmup, nonNegativeInt, 'a non-negative integer'),
    drainTimeoutSeconds: numberFlag(
      'drain-timeout',
      values['drain-timeout'],
      d.drainTimeoutSeconds,
      positive,
      'a positive number',
    ),
    capacitySeconds: numberFlag(
      'capacity-seconds',
      values['capacity-seconds'],
      d.capacitySeconds,
      positive,
      'a positive number',
    ),
    loadRuns: numberFlag('load-runs', values['load-runs'], d.loadRuns, positiveInt, 'a positive integer'),
    skip: skipList(values.skip),
    progress: values.quiet !== true,
    ...(values.conflicts === true
      ? {
          conflicts: {
            transactionLatencyMs: numberFlag(
              'conflict-latency',
              values['conflict-latency'],
              0,
              nonNegativeInt,
              'a whole number of milliseconds',
            ),
          },
        }
      : {}),
    ...(knee !== undefined ? { knee } : {}),
    ...(hotAccount !== undefined ? { hotAccount } : {}),
  });
}
