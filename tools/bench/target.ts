/**
 * What the benchmark drives: the whole local stack started in this process (the default), or a
 * stack already running elsewhere (`--url`, e.g. `npm start`).
 *
 * In-process, the meters are attached before the stack loads the functions: the AWS request /
 * capacity meter through the service's instrumentation seam, the log capture on stdout, and a
 * logger that records the local API gateway's per-request durations (the HTTP functions'
 * invocation durations). The stand-ins are started here on random free ports and handed to
 * startLocalStack (`emulators`), which also gives the DynamoDB Local JVM's pid for CPU sampling.
 *
 * The functions run with the settings they have on AWS where the local stage differs: log level
 * INFO (params.default.logLevel; local uses DEBUG), partner cache 60 s
 * (params.default.partnerCacheSeconds; local uses 0) and EMF metrics on, so requests and log
 * bytes per payment are the deployed ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient, localSqsClient } from '../local/aws-clients';
import { startEmulatorPair } from '../local/emulators/pair';
import type { LogDetails, Logger } from '../local/logger';
import {
  loadServerlessConfig,
  type CfnValue,
  type ResolvedServerlessConfig,
} from '../local/serverless-config';
import { LOCAL_STAGE, startLocalStack, type LocalStack } from '../local/stack';
import { registerClientInstrumentation } from '../../shared/adapters/instrumentation';
import { AwsMeter } from './aws-meter';
import type { TableCatalog, TableSchema } from './dynamodb-units';
import { LogCapture } from './log-capture';

export interface BenchTables {
  readonly payments: string;
  readonly ledger: string;
  readonly partners: string;
  readonly nonces: string;
  readonly idempotency: string;
}

/** Durations of the HTTP functions' invocations, from the local API gateway's request log. */
export class GatewayLog implements Logger {
  private readonly durations = new Map<string, number[]>();
  readonly problems: string[] = [];
  private problemCount = 0;
  private muted = false;

  constructor(private readonly printError: (line: string) => void) {}

  info(message: string, details?: LogDetails): void {
    if (message !== 'request' || details === undefined) return;
    const { routeKey, durationMs } = details;
    if (typeof routeKey !== 'string' || typeof durationMs !== 'number') return;
    const list = this.durations.get(routeKey) ?? [];
    list.push(durationMs);
    this.durations.set(routeKey, list);
  }

  warn(message: string, details?: LogDetails): void {
    this.problem('warn', message, details);
  }

  error(message: string, details?: LogDetails): void {
    this.problem('error', message, details);
  }

  private problem(level: string, message: string, details?: LogDetails): void {
    this.problemCount++;
    if (this.problems.length < 20) this.problems.push(`${level}: ${message}`);
    if (level === 'error' && this.problemCount <= 5 && !this.muted)
      this.printError(`[local stack] ${message} ${JSON.stringify(details ?? {})}\n`);
  }

  /** Count of warnings and errors the stand-ins reported (poller failures, function errors...). */
  get problemsSeen(): number {
    return this.problemCount;
  }

  durationsFor(routeKey: string): readonly number[] {
    return this.durations.get(routeKey) ?? [];
  }

  reset(): void {
    this.durations.clear();
  }

  /** Stop printing errors (shutting down: a scheduled invocation still running fails as the stand-ins go). */
  mute(): void {
    this.muted = true;
  }
}

export interface InProcessParts {
  readonly stack: LocalStack;
  readonly meter: AwsMeter;
  readonly logs: LogCapture;
  readonly gateway: GatewayLog;
  /** DynamoDB Local's JVM, when this process started it. */
  readonly dynamodbPid?: number;
  /** The stand-in for Secrets Manager (HMAC partner secrets). */
  readonly secrets: { readonly file: string; readonly prefix: string };
}

export interface BenchTarget {
  readonly url: string;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  readonly tables: BenchTables;
  readonly secretPrefix: string;
  readonly slaSeconds: number;
  readonly config: ResolvedServerlessConfig;
  /** The benchmark's own clients (never metered). */
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly inProcess?: InProcessParts;
  stop(): Promise<void>;
}

function envString(config: ResolvedServerlessConfig, name: string): string {
  const value = config.provider.environment[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`serverless.yml provider.environment.${name} is not a plain string`);
  return value;
}

export function benchTables(config: ResolvedServerlessConfig): BenchTables {
  return {
    payments: envString(config, 'PAYMENTS_TABLE'),
    ledger: envString(config, 'LEDGER_TABLE'),
    partners: envString(config, 'PARTNERS_TABLE'),
    nonces: envString(config, 'NONCES_TABLE'),
    idempotency: envString(config, 'IDEMPOTENCY_TABLE'),
  };
}

function isRecord(value: CfnValue | undefined): value is { [key: string]: CfnValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyNames(keySchema: CfnValue | undefined): string[] {
  if (!Array.isArray(keySchema)) return [];
  return keySchema.flatMap((k) =>
    isRecord(k) && typeof k.AttributeName === 'string' ? [k.AttributeName] : [],
  );
}

/** Key and index key attributes of every table in the template (for the request-unit model). */
export function tableCatalog(config: ResolvedServerlessConfig): TableCatalog {
  const catalog = new Map<string, TableSchema>();
  for (const resource of Object.values(config.resources.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const props = resource.Properties ?? {};
    if (typeof props.TableName !== 'string') continue;
    const indexes = Array.isArray(props.GlobalSecondaryIndexes) ? props.GlobalSecondaryIndexes : [];
    catalog.set(props.TableName, {
      keyAttributes: keyNames(props.KeySchema),
      indexKeys: indexes
        .map((index) => (isRecord(index) ? keyNames(index.KeySchema) : []))
        .filter((keys) => keys.length > 0),
    });
  }
  return catalog;
}

function slaSeconds(config: ResolvedServerlessConfig): number {
  const value = Number(config.provider.environment.SLA_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : 15;
}

function clients(endpoints: { dynamodb: string; sqs: string }) {
  const dynamodb = localDynamoDbClient(endpoints.dynamodb);
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs: localSqsClient(endpoints.sqs),
  };
}

export interface OpenTargetOptions {
  readonly config: ResolvedServerlessConfig;
  readonly url?: string;
  /** Stand-ins already running (the integration tests'): the stack is started on them. */
  readonly emulators?: { readonly dynamodbEndpoint: string; readonly sqsEndpoint: string };
  readonly pollerConcurrency: number;
  /** The conflict layer in front of DynamoDB Local (absent: the local stack's default). */
  readonly conflicts?: { readonly transactionLatencyMs: number };
  readonly logs: LogCapture;
  readonly printError: (line: string) => void;
}

/** Connects to a running stack: the endpoints `npm start` uses ($RTP_DYNAMODB_PORT / $RTP_SQS_PORT). */
async function connect(url: string, config: ResolvedServerlessConfig): Promise<BenchTarget> {
  const health = await fetch(`${url}/__health`).catch((error: unknown) => {
    throw new Error(`no local stack answers at ${url} (start one with npm start)`, { cause: error });
  });
  if (!health.ok) throw new Error(`${url}/__health answered ${health.status}`);
  const endpoints = {
    dynamodb: `http://127.0.0.1:${process.env.RTP_DYNAMODB_PORT ?? '8765'}`,
    sqs: `http://127.0.0.1:${process.env.RTP_SQS_PORT ?? '9324'}`,
  };
  const own = clients(endpoints);
  return {
    url,
    endpoints,
    tables: benchTables(config),
    secretPrefix: envString(config, 'PARTNER_SECRET_PREFIX'),
    slaSeconds: slaSeconds(config),
    config,
    ...own,
    stop: async () => {
      own.dynamodb.destroy();
      own.sqs.destroy();
    },
  };
}

/** DynamoDB Local and fauxqs on random free ports (startLocalStack's port 0 does not reach DynamoDB Local). */
async function startStandIns(
  stops: (() => Promise<void>)[],
): Promise<{ dynamodbEndpoint: string; sqsEndpoint: string; dynamodbPid: number }> {
  const { dynamodb, sqs } = await startEmulatorPair({}, stops);
  return { dynamodbEndpoint: dynamodb.endpoint, sqsEndpoint: sqs.endpoint, dynamodbPid: dynamodb.pid };
}

async function startInProcess(
  options: OpenTargetOptions,
  config: ResolvedServerlessConfig,
): Promise<BenchTarget> {
  const tables = benchTables(config);
  const labels = new Map(Object.entries(tables).map(([label, name]) => [name, label]));
  const meter = new AwsMeter({
    catalog: tableCatalog(config),
    tableLabels: labels,
    paymentsTable: tables.payments,
    idempotencyTable: tables.idempotency,
  });
  const unregister = registerClientInstrumentation(meter.instrumentation);
  const gateway = new GatewayLog(options.printError);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'rtp-bench-'));
  const stops: (() => Promise<void>)[] = [
    async () => rmSync(stateDir, { recursive: true, force: true }),
    async () => unregister(),
  ];
  const stopAll = async () => {
    gateway.mute();
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const standIns =
      options.emulators === undefined
        ? await startStandIns(stops)
        : { ...options.emulators, dynamodbPid: undefined };
    options.logs.start();
    stops.push(async () => options.logs.stop());
    const stack = await startLocalStack({
      httpPort: 0,
      emulators: { dynamodbEndpoint: standIns.dynamodbEndpoint, sqsEndpoint: standIns.sqsEndpoint },
      stateDir,
      pollerConcurrency: options.pollerConcurrency,
      ...(options.conflicts !== undefined ? { dynamodbConflicts: options.conflicts } : {}),
      pollerWaitSeconds: 1,
      logger: gateway,
      functionEnv: {
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_DISABLED: 'false',
        PARTNER_CACHE_SECONDS: '60',
      },
    });
    stops.push(() => stack.stop());
    const own = clients(stack.endpoints);
    stops.push(async () => {
      own.dynamodb.destroy();
      own.sqs.destroy();
    });
    const secretsFile = stack.env.RTP_LOCAL_SECRETS_FILE;
    if (secretsFile === undefined) throw new Error('the local stack has no RTP_LOCAL_SECRETS_FILE');
    const secretPrefix = envString(config, 'PARTNER_SECRET_PREFIX');
    return {
      url: stack.url,
      endpoints: stack.endpoints,
      tables,
      secretPrefix,
      slaSeconds: slaSeconds(config),
      config,
      ...own,
      inProcess: {
        stack,
        meter,
        logs: options.logs,
        gateway,
        ...(standIns.dynamodbPid !== undefined ? { dynamodbPid: standIns.dynamodbPid } : {}),
        secrets: { file: secretsFile, prefix: secretPrefix },
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export async function openTarget(options: OpenTargetOptions): Promise<BenchTarget> {
  return options.url === undefined
    ? startInProcess(options, options.config)
    : connect(options.url, options.config);
}

/** serverless.yml as the local stage resolves it (table names, functions, resources). */
export function loadBenchConfig(): Promise<ResolvedServerlessConfig> {
  return loadServerlessConfig(LOCAL_STAGE);
}
