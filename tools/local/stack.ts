/**
 * The whole pipeline on local stand-ins, in one process: DynamoDB Local + the fauxqs SQS
 * emulator, resources provisioned from serverless.yml's own definitions (`sls print --stage
 * local`), the HTTP API serving the functions its `httpApi` events declare, a poller per `sqs`
 * event source, a timer per `schedule` event, and the demo partner and accounts seeded.
 *
 * Used by `npm start` (tools/local/start.ts) and by the end-to-end tests. Handlers run in this process
 * (not in separate Lambda sandboxes): they share one process.env, built from the functions'
 * environment in serverless.yml with the endpoints and queue URLs of the running stand-ins.
 */
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient, localSqsClient } from './aws-clients';
import { provisionResources, resolveCfnString, type ProvisionedResources } from './cloudformation';
import {
  conflictLatencyFromEnv,
  conflictMaxHoldFromEnv,
  conflictsFromEnv,
  startConflictProxy,
  type ConflictProxyHandle,
} from './emulators/dynamodb-conflicts';
import { startEmulatorPair } from './emulators/pair';
import { startHttpApi, type HttpApiHandle, type HttpRoute } from './http-gateway';
import { createLambdaContext, invokeWithTimeout } from './lambda-context';
import { quietLogger, type Logger } from './logger';
import { localStateDir, repoRoot } from './paths';
import { seedDemoData, type DemoPartnerCredentials } from './seed';
import {
  handlerModulePath,
  loadServerlessConfig,
  type ResolvedFunction,
  type ResolvedServerlessConfig,
} from './serverless-config';
import { startSqsPoller, type SqsPoller } from './sqs-poller';

export const LOCAL_STAGE = 'local';

export interface LocalStackOptions {
  /** HTTP API port; 0 = a free port. Default: $PORT or 3000. */
  readonly httpPort?: number;
  /** Ports of the stand-ins; 0 = free ports. Defaults: $RTP_DYNAMODB_PORT / $RTP_SQS_PORT or 8765 / 9324. */
  readonly dynamodbPort?: number;
  readonly sqsPort?: number;
  /** Keep DynamoDB Local's data in this folder instead of memory. */
  readonly persistDir?: string;
  /** Use stand-ins that are already running (tests) instead of starting them. */
  readonly emulators?: { readonly dynamodbEndpoint: string; readonly sqsEndpoint: string };
  /**
   * Put the conflict-faithful layer (emulators/dynamodb-conflicts.ts) in front of DynamoDB Local, so
   * concurrent transactions on one item conflict as on AWS. Default: $RTP_DYNAMODB_CONFLICTS=1, with
   * $RTP_DYNAMODB_CONFLICT_LATENCY_MS as the extra hold of each transaction and
   * $RTP_DYNAMODB_CONFLICT_MAX_HOLD_MS as the cap on a hold (default 100).
   */
  readonly dynamodbConflicts?:
    boolean | { readonly transactionLatencyMs?: number; readonly maxHoldMs?: number };
  /** Concurrent invocations per SQS event source (default 2). */
  readonly pollerConcurrency?: number;
  /**
   * Long-poll wait of idle pollers in seconds (default 2: stopping waits for a pending poll; the
   * ESM itself polls for 20 s, which changes nothing but the number of empty receives).
   */
  readonly pollerWaitSeconds?: number;
  /** Where partner.env, the demo key and the secrets stand-in go (default .local/). */
  readonly stateDir?: string;
  /** Run `schedule` events on timers (default true; tests that drive the sweeper themselves say false). */
  readonly schedules?: boolean;
  /** Extra environment for the functions (e.g. a quieter log level in tests). */
  readonly functionEnv?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
}

export interface LocalStack {
  readonly url: string;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  readonly provisioned: ProvisionedResources;
  readonly config: ResolvedServerlessConfig;
  readonly env: Readonly<Record<string, string>>;
  readonly partner: DemoPartnerCredentials;
  readonly pollers: readonly SqsPoller[];
  /** The conflict layer, when on (`endpoints.dynamodb` is then its address). */
  readonly conflicts?: ConflictProxyHandle;
  stop(): Promise<void>;
}

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  return value !== undefined && value !== '' ? Number(value) : fallback;
}

/** 0 means "any free port": the emulators pick one when no port is given. */
function portOption(port: number): { port?: number } {
  return port === 0 ? {} : { port };
}

/** The functions' environment (one for all: they share this process), pointed at the stand-ins. */
export function functionEnvironment(
  config: ResolvedServerlessConfig,
  provisioned: ProvisionedResources,
  endpoints: { dynamodb: string; sqs: string },
  stateDir: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  const queues = Object.values(provisioned.queues);
  for (const fn of Object.values(config.functions)) {
    for (const [name, value] of Object.entries(fn.environment)) {
      const resolved = typeof value === 'string' ? value : resolveCfnString(value, provisioned);
      const queue = queues.find((q) => resolved.endsWith(`/${q.name}`));
      const final = queue ? queue.url : resolved;
      if (env[name] !== undefined && env[name] !== final) {
        throw new Error(`functions disagree on ${name}: the local stack runs them in one process`);
      }
      env[name] = final;
    }
  }
  return {
    ...env,
    RTP_DYNAMODB_ENDPOINT: endpoints.dynamodb,
    RTP_SQS_ENDPOINT: endpoints.sqs,
    RTP_LOCAL_SECRETS_FILE: path.join(stateDir, 'secrets.json'),
    AWS_REGION: provisioned.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

async function loadHandler(fn: ResolvedFunction): Promise<AnyHandler> {
  const { file, exportName } = handlerModulePath(fn.handler);
  const mod = (await import(path.join(repoRoot, file))) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== 'function')
    throw new Error(`${fn.handler}: export '${exportName}' is not a function`);
  return handler as AnyHandler;
}

/** `rate(1 minute)` / `rate(30 seconds)` -> milliseconds (cron is not emulated). */
export function rateToMs(expression: string): number | undefined {
  const match = /^rate\((\d+)\s+(second|minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match) return undefined;
  const unit = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2] as 'second'];
  return Number(match[1]) * unit;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const logger = options.logger ?? quietLogger;
  const stateDir = options.stateDir ?? localStateDir;
  mkdirSync(stateDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => logger.error('stop failed', { error }));
    }
  };

  try {
    let endpoints: { dynamodb: string; sqs: string };
    if (options.emulators) {
      endpoints = { dynamodb: options.emulators.dynamodbEndpoint, sqs: options.emulators.sqsEndpoint };
    } else {
      const { dynamodb, sqs } = await startEmulatorPair(
        {
          dynamodb: {
            ...portOption(options.dynamodbPort ?? envPort('RTP_DYNAMODB_PORT', 8765)),
            ...(options.persistDir ? { persistDir: options.persistDir } : {}),
          },
          sqs: portOption(options.sqsPort ?? envPort('RTP_SQS_PORT', 9324)),
        },
        stops,
      );
      endpoints = { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint };
      logger.info('stand-ins ready', {
        dynamodb: endpoints.dynamodb,
        dynamodbMs: dynamodb.startupMs,
        sqs: endpoints.sqs,
      });
    }

    const conflictOption = options.dynamodbConflicts ?? conflictsFromEnv();
    let conflicts: ConflictProxyHandle | undefined;
    if (conflictOption !== false) {
      const transactionLatencyMs =
        (typeof conflictOption === 'object' ? conflictOption.transactionLatencyMs : undefined) ??
        conflictLatencyFromEnv();
      const maxHoldMs =
        (typeof conflictOption === 'object' ? conflictOption.maxHoldMs : undefined) ??
        conflictMaxHoldFromEnv();
      const proxy = await startConflictProxy({
        upstream: endpoints.dynamodb,
        transactionLatencyMs,
        maxHoldMs,
      });
      conflicts = proxy;
      stops.push(() => proxy.stop());
      logger.info('DynamoDB conflict layer on', {
        endpoint: proxy.endpoint,
        upstream: endpoints.dynamodb,
        transactionLatencyMs,
        maxHoldMs,
      });
      endpoints = { ...endpoints, dynamodb: proxy.endpoint };
    }

    const config = await loadServerlessConfig(LOCAL_STAGE);
    const dynamodbClient = localDynamoDbClient(endpoints.dynamodb);
    const sqsClient = localSqsClient(endpoints.sqs);
    stops.push(async () => {
      dynamodbClient.destroy();
      sqsClient.destroy();
    });
    const provisioned = await provisionResources(
      config.resources.Resources,
      { dynamodb: dynamodbClient, sqs: sqsClient },
      {
        region: config.region,
        stackName: `${config.service}-${config.stage}`,
        logger,
      },
    );

    const env = { ...functionEnvironment(config, provisioned, endpoints, stateDir), ...options.functionEnv };
    Object.assign(process.env, env);

    const tableName = (variable: string) => {
      const name = env[variable];
      if (!name) throw new Error(`${variable} is not set by serverless.yml`);
      return name;
    };
    const partner = await seedDemoData({
      documents: DynamoDBDocumentClient.from(dynamodbClient),
      tables: {
        payments: tableName('PAYMENTS_TABLE'),
        ledger: tableName('LEDGER_TABLE'),
        partners: tableName('PARTNERS_TABLE'),
      },
      secretPrefix: tableName('PARTNER_SECRET_PREFIX'),
      secretsFile: tableName('RTP_LOCAL_SECRETS_FILE'),
      stateDir,
    });

    const routes: HttpRoute[] = [];
    const pollers: SqsPoller[] = [];
    for (const fn of Object.values(config.functions)) {
      const handler = await loadHandler(fn);
      for (const event of fn.events) {
        if (event.type === 'httpApi') {
          routes.push({
            method: event.method,
            path: event.path,
            functionName: fn.name,
            timeoutSeconds: fn.timeout,
            memorySize: fn.memorySize,
            handler: handler as (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyResultV2>,
          });
        } else if (event.type === 'sqs') {
          const arn = resolveCfnString(event.arn, provisioned);
          const queue = Object.values(provisioned.queues).find((q) => q.arn === arn);
          if (!queue) throw new Error(`${fn.key}: no provisioned queue for ${arn}`);
          const poller = startSqsPoller({
            sqs: sqsClient,
            queueUrl: queue.url,
            queueArn: queue.arn,
            region: provisioned.region,
            functionName: fn.name,
            handler: handler as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
            batchSize: event.batchSize,
            maximumBatchingWindowSeconds: event.maximumBatchingWindow,
            ...(event.functionResponseType ? { functionResponseType: event.functionResponseType } : {}),
            timeoutSeconds: fn.timeout,
            memorySize: fn.memorySize,
            concurrency: options.pollerConcurrency ?? 2,
            waitTimeSeconds: options.pollerWaitSeconds ?? 2,
            logger,
          });
          pollers.push(poller);
          stops.push(() => poller.stop());
        } else if (event.type === 'schedule' && event.enabled && options.schedules !== false) {
          for (const rate of event.rate) {
            const every = rateToMs(rate);
            if (every === undefined) {
              logger.warn('schedule not emulated', { function: fn.key, rate });
              continue;
            }
            const running = new Set<Promise<unknown>>();
            const timer = setInterval(() => {
              const context = createLambdaContext({
                functionName: fn.name,
                timeoutSeconds: fn.timeout,
                memorySize: fn.memorySize,
              });
              const invocation = invokeWithTimeout(
                handler,
                event.input ?? { source: 'aws.events', 'detail-type': 'Scheduled Event' },
                context,
                logger,
              )
                .catch((error: unknown) =>
                  logger.error('scheduled invocation failed', { function: fn.key, error }),
                )
                .finally(() => running.delete(invocation));
              running.add(invocation);
            }, every);
            timer.unref();
            // Stop the timer, then let a running invocation end (bounded by its own time-out).
            stops.push(async () => {
              clearInterval(timer);
              await Promise.all(running);
            });
          }
        } else if (event.type !== 'schedule') {
          logger.warn('event type not emulated locally', { function: fn.key, event: event.type });
        }
      }
    }

    const api: HttpApiHandle = await startHttpApi({
      port: options.httpPort ?? envPort('PORT', 3000),
      stage: LOCAL_STAGE,
      routes,
      region: provisioned.region,
      logger,
    });
    stops.push(() => api.stop());

    const partnerEnv = [
      `RTP_BASE_URL=${api.url}`,
      `RTP_KEY_ID=${partner.hmac.keyId}`,
      `RTP_SECRET=${partner.hmac.secret}`,
      `RTP_ALG=hmac-sha256`,
      '',
    ].join('\n');
    writeFileSync(path.join(stateDir, 'partner.env'), partnerEnv, { mode: 0o600 });

    return {
      url: api.url,
      endpoints,
      provisioned,
      config,
      env,
      partner,
      pollers,
      ...(conflicts ? { conflicts } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
