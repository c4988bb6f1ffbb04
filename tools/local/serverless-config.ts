/**
 * serverless.yml as the Serverless Framework itself resolves it: we run `sls print --stage <stage>
 * --format json` (osls, the open-source Framework v3 fork) rather than parsing the YAML ourselves, so
 * `${param:}`, `${self:}`, `${env:}`, `${file():}` and `${sls:stage}` mean exactly what they mean on deploy.
 * The local stand-ins then read a typed, validated subset of the result.
 *
 * `sls print` takes a few seconds, so its output is cached in `.local/sls-print-<stage>.json`, keyed by a
 * hash of serverless.yml, every file under infra/, every file serverless.yml pulls in with `${file()}`,
 * the values of the environment variables serverless.yml reads with `${env:NAME}`, and the osls version.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readInstalledPackage } from './packages';
import { localStateDir, repoRoot } from './paths';

/** A CloudFormation value: a literal or an intrinsic function object (`{ Ref }`, `{ 'Fn::GetAtt' }`...). */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  DependsOn?: string | string[];
  Condition?: string;
  [attribute: string]: unknown;
}

export interface HttpApiEvent {
  readonly type: 'httpApi';
  /** Upper-case method, or `ANY`. */
  readonly method: string;
  /** Route path as declared, e.g. `/payments/{id}`; `$default` for the catch-all route. */
  readonly path: string;
}

export interface SqsEventSource {
  readonly type: 'sqs';
  /** The queue ARN, usually a CloudFormation expression (`Fn::GetAtt: [PaymentsQueue, Arn]`). */
  readonly arn: CfnValue;
  readonly batchSize: number;
  readonly maximumBatchingWindow: number;
  readonly functionResponseType?: 'ReportBatchItemFailures';
  readonly enabled: boolean;
}

export interface ScheduleEvent {
  readonly type: 'schedule';
  /** `rate(...)` / `cron(...)` expressions. */
  readonly rate: string[];
  readonly enabled: boolean;
  readonly input?: unknown;
}

/** An event type the local stand-ins do not emulate (kept so callers can warn about it). */
export interface OtherEvent {
  readonly type: 'other';
  readonly eventType: string;
}

export type FunctionEvent = HttpApiEvent | SqsEventSource | ScheduleEvent | OtherEvent;

/** An environment value: a string, or a CloudFormation expression (see `resolveEnvironment`). */
export type EnvironmentValue = string | { [key: string]: CfnValue };

export interface ResolvedFunction {
  /** Key under `functions:` (e.g. `settlePayment`). */
  readonly key: string;
  /** Deployed function name (e.g. `rtp-pipeline-local-settlePayment`). */
  readonly name: string;
  /** As written in serverless.yml: `functions/settle-payment/handler.handler`. */
  readonly handler: string;
  readonly timeout: number;
  readonly memorySize: number;
  /** provider.environment overlaid with the function's own environment, as Lambda sees it. */
  readonly environment: Readonly<Record<string, EnvironmentValue>>;
  readonly events: readonly FunctionEvent[];
}

export interface ResolvedServerlessConfig {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly provider: {
    readonly runtime: string;
    readonly timeout: number;
    readonly memorySize: number;
    readonly environment: Readonly<Record<string, EnvironmentValue>>;
  };
  readonly functions: Readonly<Record<string, ResolvedFunction>>;
  readonly resources: { readonly Resources: Readonly<Record<string, CfnResource>> };
  /** Where the data came from (for start-up diagnostics). */
  readonly source: { readonly fromCache: boolean; readonly durationMs: number; readonly cacheFile: string };
}

export interface LoadServerlessConfigOptions {
  /** Extra environment for `sls print` (overrides process.env; dummy AWS credentials are always set). */
  env?: Record<string, string>;
  /** Ignore (and rewrite) the cache. */
  refresh?: boolean;
}

export class ServerlessConfigError extends Error {
  override readonly name = 'ServerlessConfigError';
}

/** Serverless Framework defaults for what serverless.yml may leave out. */
const FRAMEWORK_DEFAULT_TIMEOUT_SECONDS = 6;
const FRAMEWORK_DEFAULT_MEMORY_MB = 1024;
const SLS_PRINT_TIMEOUT_MS = 120_000;
const CACHE_FORMAT = 1;

export async function loadServerlessConfig(
  stage: string,
  opts: LoadServerlessConfigOptions = {},
): Promise<ResolvedServerlessConfig> {
  if (!/^[A-Za-z0-9-]+$/.test(stage))
    throw new ServerlessConfigError(`Invalid stage name: ${JSON.stringify(stage)}`);
  const startedAt = Date.now();
  const env = slsEnvironment(opts.env);
  const cacheFile = path.join(localStateDir, `sls-print-${stage}.json`);
  const cacheKey = computeCacheKey(stage, env);

  const cached = opts.refresh === true ? undefined : readCache(cacheFile, cacheKey);
  const raw = cached ?? (await runSlsPrint(stage, env));
  const config = toResolvedConfig(raw, stage, {
    fromCache: cached !== undefined,
    durationMs: Date.now() - startedAt,
    cacheFile,
  });
  if (cached === undefined) writeCache(cacheFile, cacheKey, raw);
  return config;
}

/** `functions/x/handler.handler` -> `{ file: 'functions/x/handler.ts', exportName: 'handler' }` */
export function handlerModulePath(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  if (dot <= 0 || exportName === '' || base.endsWith('/')) {
    throw new ServerlessConfigError(
      `Handler ${JSON.stringify(handler)} is not of the form <path>/<file>.<export>`,
    );
  }
  return { file: `${base.replace(/^\.\//, '')}.ts`, exportName };
}

// ---------------------------------------------------------------------------------------------------
// sls print and its cache

function slsEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}

function runSlsPrint(stage: string, env: Record<string, string>): Promise<unknown> {
  const osls = readInstalledPackage('osls');
  const bin = osls.bin.sls ?? osls.bin.serverless;
  if (bin === undefined) throw new ServerlessConfigError('osls does not declare an `sls` binary');
  const args = [path.join(osls.dir, bin), 'print', '--stage', stage, '--format', 'json'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: repoRoot, env, timeout: SLS_PRINT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new ServerlessConfigError(
              `\`sls print --stage ${stage}\` failed (${error.message.split('\n')[0] ?? 'no message'}):\n${tail(stderr || stdout)}`,
              { cause: error },
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (parseError) {
          reject(
            new ServerlessConfigError(`\`sls print --stage ${stage}\` did not print JSON:\n${tail(stdout)}`, {
              cause: parseError,
            }),
          );
        }
      },
    );
  });
}

function tail(text: string, max = 4_000): string {
  return text.length > max ? `...${text.slice(-max)}` : text;
}

/** The files whose content decides what `sls print` returns, in a stable order. */
function configInputFiles(): string[] {
  const files = new Set<string>([path.join(repoRoot, 'serverless.yml')]);
  const infraDir = path.join(repoRoot, 'infra');
  if (fs.existsSync(infraDir)) {
    for (const entry of fs.readdirSync(infraDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.add(path.join(entry.parentPath, entry.name));
    }
  }
  const yml = fs.readFileSync(path.join(repoRoot, 'serverless.yml'), 'utf8');
  for (const match of yml.matchAll(/\$\{file\(([^)]+)\)/g)) {
    const referenced = path.resolve(repoRoot, (match[1] ?? '').trim());
    if (fs.existsSync(referenced) && fs.statSync(referenced).isFile()) files.add(referenced);
  }
  return [...files].sort();
}

/** Names of the environment variables the configuration reads through `${env:NAME...}`. */
function referencedEnvNames(contents: readonly string[]): string[] {
  const names = new Set<string>();
  for (const content of contents) {
    for (const match of content.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (match[1] !== undefined) names.add(match[1]);
    }
  }
  return [...names].sort();
}

function computeCacheKey(stage: string, env: Record<string, string>): string {
  const hash = createHash('sha256');
  hash.update(`format ${CACHE_FORMAT}\nstage ${stage}\nosls ${readInstalledPackage('osls').version}\n`);
  const contents: string[] = [];
  for (const file of configInputFiles()) {
    const content = fs.readFileSync(file, 'utf8');
    contents.push(content);
    hash.update(`file ${path.relative(repoRoot, file)} ${content.length}\n${content}\n`);
  }
  for (const name of referencedEnvNames(contents)) {
    hash.update(`env ${name}=${JSON.stringify(env[name] ?? null)}\n`);
  }
  return hash.digest('hex');
}

const cacheFileSchema = z.object({ format: z.literal(CACHE_FORMAT), key: z.string(), config: z.unknown() });

function readCache(cacheFile: string, key: string): unknown {
  if (!fs.existsSync(cacheFile)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
  } catch (error) {
    // A corrupt cache is only a cache miss, but say so: it is unexpected (writes are atomic).
    process.stderr.write(`[serverless-config] ignoring unreadable cache ${cacheFile}: ${String(error)}\n`);
    return undefined;
  }
  const entry = cacheFileSchema.safeParse(parsed);
  if (!entry.success || entry.data.key !== key) return undefined;
  return entry.data.config;
}

function writeCache(cacheFile: string, key: string, config: unknown): void {
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify({ format: CACHE_FORMAT, key, config }));
  fs.renameSync(temporary, cacheFile);
}

// ---------------------------------------------------------------------------------------------------
// Validation and normalisation of the printed configuration

const cfnValueSchema: z.ZodType<CfnValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(cfnValueSchema),
    z.record(z.string(), cfnValueSchema),
  ]),
);

const environmentSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), cfnValueSchema)]))
  .optional();

const resourceSchema = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), cfnValueSchema).optional(),
  DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
  Condition: z.string().optional(),
});

const eventSchema = z.record(z.string(), z.unknown());

const functionSchema = z.looseObject({
  handler: z.string().min(1),
  name: z.string().min(1),
  timeout: z.number().positive().optional(),
  memorySize: z.number().positive().optional(),
  environment: environmentSchema,
  events: z.array(eventSchema).optional(),
});

const printedConfigSchema = z.looseObject({
  service: z.union([z.string(), z.looseObject({ name: z.string() })]),
  provider: z.looseObject({
    name: z.literal('aws'),
    runtime: z.string(),
    stage: z.string().optional(),
    region: z.string().optional(),
    timeout: z.number().positive().optional(),
    memorySize: z.number().positive().optional(),
    environment: environmentSchema,
  }),
  functions: z.record(z.string(), functionSchema).optional(),
  resources: z.looseObject({ Resources: z.record(z.string(), resourceSchema).optional() }).optional(),
});

type PrintedEvent = z.infer<typeof eventSchema>;

const httpApiObjectSchema = z.looseObject({ method: z.string().optional(), path: z.string().optional() });
const sqsObjectSchema = z.looseObject({
  arn: cfnValueSchema,
  batchSize: z.number().int().positive().optional(),
  maximumBatchingWindow: z.number().int().min(0).optional(),
  functionResponseType: z.literal('ReportBatchItemFailures').optional(),
  enabled: z.boolean().optional(),
});
const scheduleObjectSchema = z.looseObject({
  rate: z.union([z.string(), z.array(z.string())]),
  enabled: z.boolean().optional(),
  input: z.unknown().optional(),
});

function toResolvedConfig(
  raw: unknown,
  stage: string,
  source: ResolvedServerlessConfig['source'],
): ResolvedServerlessConfig {
  const parsed = printedConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ServerlessConfigError(
      `\`sls print --stage ${stage}\` returned a configuration the local stand-ins cannot use:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const printed = parsed.data;
  const providerEnvironment = normaliseEnvironment(printed.provider.environment);
  const providerTimeout = printed.provider.timeout ?? FRAMEWORK_DEFAULT_TIMEOUT_SECONDS;
  const providerMemory = printed.provider.memorySize ?? FRAMEWORK_DEFAULT_MEMORY_MB;

  const functions: Record<string, ResolvedFunction> = {};
  for (const [key, fn] of Object.entries(printed.functions ?? {})) {
    functions[key] = {
      key,
      name: fn.name,
      handler: fn.handler,
      timeout: fn.timeout ?? providerTimeout,
      memorySize: fn.memorySize ?? providerMemory,
      environment: { ...providerEnvironment, ...normaliseEnvironment(fn.environment) },
      events: (fn.events ?? []).map((event, index) =>
        normaliseEvent(event, `functions.${key}.events[${index}]`),
      ),
    };
  }

  const resources: Record<string, CfnResource> = {};
  for (const [logicalId, resource] of Object.entries(printed.resources?.Resources ?? {})) {
    resources[logicalId] = resource;
  }

  return {
    service: typeof printed.service === 'string' ? printed.service : printed.service.name,
    stage: printed.provider.stage ?? stage,
    region: printed.provider.region ?? 'us-east-1',
    provider: {
      runtime: printed.provider.runtime,
      timeout: providerTimeout,
      memorySize: providerMemory,
      environment: providerEnvironment,
    },
    functions,
    resources: { Resources: resources },
    source,
  };
}

function normaliseEnvironment(
  environment: z.infer<typeof environmentSchema>,
): Record<string, EnvironmentValue> {
  const result: Record<string, EnvironmentValue> = {};
  for (const [name, value] of Object.entries(environment ?? {})) {
    result[name] = typeof value === 'object' ? value : String(value);
  }
  return result;
}

function normaliseEvent(event: PrintedEvent, where: string): FunctionEvent {
  const [eventType, ...extra] = Object.keys(event);
  if (eventType === undefined || extra.length > 0) {
    throw new ServerlessConfigError(
      `${where}: an event must have exactly one type, got ${JSON.stringify(event)}`,
    );
  }
  const body = event[eventType];
  switch (eventType) {
    case 'httpApi':
      return normaliseHttpApi(body, where);
    case 'sqs': {
      const sqs = typeof body === 'string' ? { arn: body } : body;
      const checked = parseOrThrow(sqsObjectSchema, sqs, `${where}.sqs`);
      return {
        type: 'sqs',
        arn: checked.arn,
        batchSize: checked.batchSize ?? 10,
        maximumBatchingWindow: checked.maximumBatchingWindow ?? 0,
        enabled: checked.enabled ?? true,
        ...(checked.functionResponseType === undefined
          ? {}
          : { functionResponseType: checked.functionResponseType }),
      };
    }
    case 'schedule': {
      const schedule = typeof body === 'string' ? { rate: body } : body;
      const checked = parseOrThrow(scheduleObjectSchema, schedule, `${where}.schedule`);
      return {
        type: 'schedule',
        rate: typeof checked.rate === 'string' ? [checked.rate] : checked.rate,
        enabled: checked.enabled ?? true,
        ...(checked.input === undefined ? {} : { input: checked.input }),
      };
    }
    default:
      return { type: 'other', eventType };
  }
}

function normaliseHttpApi(body: unknown, where: string): HttpApiEvent {
  if (typeof body === 'string') {
    if (body === '*') return { type: 'httpApi', method: 'ANY', path: '$default' };
    const [method, routePath, ...rest] = body.trim().split(/\s+/);
    if (method === undefined || routePath === undefined || rest.length > 0) {
      throw new ServerlessConfigError(
        `${where}.httpApi: expected "METHOD /path", got ${JSON.stringify(body)}`,
      );
    }
    return { type: 'httpApi', method: normaliseMethod(method), path: routePath };
  }
  const checked = parseOrThrow(httpApiObjectSchema, body, `${where}.httpApi`);
  return {
    type: 'httpApi',
    method: normaliseMethod(checked.method ?? '*'),
    path: checked.path ?? '$default',
  };
}

function normaliseMethod(method: string): string {
  return method === '*' ? 'ANY' : method.toUpperCase();
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ServerlessConfigError(`${where}: ${z.prettifyError(result.error)}`);
  return result.data;
}
