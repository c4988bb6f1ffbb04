/**
 * The modelled AWS bill: what the run measured per payment, priced with tools/bench/prices.json.
 *
 * Per payment (the target is <= $10 per million payments):
 *   API Gateway   every POST the partners sent (invalid ones too), per 512 KB started
 *   Lambda        invocations and GB-seconds per function, at the memory serverless.yml gives it,
 *                 arm64, billed per 1 ms
 *   SQS FIFO      sends (per 64 KB chunk), the event source mapping's receives and delete batches
 *   DynamoDB      write units (AWS rules, dynamodb-units.ts) and read units of the payment path
 *   CloudWatch    log bytes the functions wrote (measured) + Lambda's START / END / REPORT lines
 *   X-Ray         traces the default sampling rule records above its reservoir (tracing is on)
 * Fixed per month (independent of the rate): the scheduled functions (the deadline sweeper), its
 * queries, X-Ray's reservoir, custom metrics, alarms and dashboards. The monthly view adds both at
 * 300 payments per minute. Storage grows with every payment kept: shown apart, per month retained.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const PricesSchema = z.object({
  region: z.string(),
  currency: z.string(),
  takenOn: z.string(),
  note: z.string(),
  apiGateway: z.object({
    httpApiPerMillionRequests: z.number(),
    httpApiMeteringBytes: z.number(),
    source: z.string(),
  }),
  lambda: z.object({ perMillionRequests: z.number(), arm64PerGbSecond: z.number(), source: z.string() }),
  sqs: z.object({ fifoPerMillionRequests: z.number(), chunkBytes: z.number(), source: z.string() }),
  dynamodb: z.object({
    perMillionWriteRequestUnits: z.number(),
    perMillionReadRequestUnits: z.number(),
    storagePerGbMonth: z.number(),
    itemStorageOverheadBytes: z.number(),
    source: z.string(),
  }),
  cloudwatch: z.object({
    logsIngestionPerGb: z.number(),
    logEventOverheadBytes: z.number(),
    customMetricPerMonth: z.number(),
    alarmPerMonth: z.number(),
    dashboardPerMonth: z.number(),
    source: z.string(),
  }),
  xray: z.object({
    perMillionTracesRecorded: z.number(),
    defaultReservoirPerSecond: z.number(),
    defaultFixedRate: z.number(),
    source: z.string(),
  }),
});

export type Prices = z.infer<typeof PricesSchema>;

export function loadPrices(file = path.join(__dirname, 'prices.json')): Prices {
  return PricesSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export interface FunctionUsage {
  readonly key: string;
  readonly memoryMb: number;
  readonly invocations: number;
  /** Sum over invocations of the duration rounded up to 1 ms. */
  readonly billedMs: number;
  /** Where the durations come from. */
  readonly durationSource: string;
}

export interface ScheduledFunction {
  readonly key: string;
  readonly memoryMb: number;
  readonly invocationsPerMonth: number;
  /** Assumed duration of one invocation (the sweeper works until near its timeout). */
  readonly secondsPerInvocation: number;
  /** DynamoDB read units it consumes per month. */
  readonly readUnitsPerMonth: number;
}

export interface CostInput {
  /** Accepted payments in the measured run: the denominator. */
  readonly payments: number;
  readonly apiRequests: readonly { readonly bytes: number }[];
  readonly functions: readonly FunctionUsage[];
  readonly sqs: { readonly sendChunks: number; readonly receives: number; readonly deleteBatches: number };
  readonly dynamodb: {
    readonly wru: number;
    readonly indexWru: number;
    readonly rru: number;
    readonly bytesPut: number;
    readonly itemsPut: number;
  };
  readonly logs: { readonly bytes: number; readonly events: number };
  readonly tracing: boolean;
  readonly scheduled: readonly ScheduledFunction[];
  readonly customMetrics: number;
  readonly alarms: number;
  readonly dashboards: number;
}

export interface CostLine {
  readonly service: string;
  readonly item: string;
  /** Quantity per payment, in `unit`. */
  readonly perPayment: number;
  readonly unit: string;
  /** USD per million payments. */
  readonly perMillion: number;
}

export interface FixedLine {
  readonly service: string;
  readonly item: string;
  readonly perMonth: number;
}

export interface CostModel {
  readonly lines: readonly CostLine[];
  readonly perMillion: number;
  readonly fixed: readonly FixedLine[];
  readonly fixedPerMonth: number;
  readonly monthly: {
    readonly paymentsPerMinute: number;
    readonly payments: number;
    readonly variable: number;
    readonly fixed: number;
    readonly total: number;
  };
  readonly storage: { readonly bytesPerPayment: number; readonly perMillionPerMonthRetained: number };
  /** USD per request unit, to price individual DynamoDB requests in the report. */
  readonly dynamodbUnitPrices: { readonly wru: number; readonly rru: number };
  readonly pricesTakenOn: string;
  readonly assumptions: readonly string[];
}

/** Lambda's own log lines per invocation (START, END, REPORT with the X-Ray trace line), about. */
const PLATFORM_LOG_BYTES = 380;
const PLATFORM_LOG_EVENTS = 3;
const SECONDS_PER_MONTH = 30 * 24 * 3600;
export const MONTHLY_PAYMENTS_PER_MINUTE = 300;

export function costModel(input: CostInput, prices: Prices): CostModel {
  const n = Math.max(1, input.payments);
  const perPayment = (quantity: number) => quantity / n;
  const lines: CostLine[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, pricePerUnit: number) =>
    lines.push({
      service,
      item,
      perPayment: perPayment(quantity),
      unit,
      perMillion: perPayment(quantity) * pricePerUnit * 1e6,
    });

  const apiBilled = input.apiRequests.reduce(
    (total, r) => total + Math.max(1, Math.ceil(r.bytes / prices.apiGateway.httpApiMeteringBytes)),
    0,
  );
  add(
    'API Gateway',
    'HTTP API requests (POST /payments, all answers)',
    apiBilled,
    'requests',
    prices.apiGateway.httpApiPerMillionRequests / 1e6,
  );

  let invocations = 0;
  for (const fn of input.functions) {
    invocations += fn.invocations;
    add(
      'Lambda',
      `${fn.key}: requests`,
      fn.invocations,
      'invocations',
      prices.lambda.perMillionRequests / 1e6,
    );
    const gbSeconds = (fn.billedMs / 1000) * (fn.memoryMb / 1024);
    add(
      'Lambda',
      `${fn.key}: ${fn.memoryMb} MB x ${(fn.billedMs / Math.max(1, fn.invocations)).toFixed(1)} ms (${fn.durationSource})`,
      gbSeconds,
      'GB-s',
      prices.lambda.arm64PerGbSecond,
    );
  }

  const sqsPrice = prices.sqs.fifoPerMillionRequests / 1e6;
  add('SQS FIFO', 'SendMessage (64 KB chunks)', input.sqs.sendChunks, 'requests', sqsPrice);
  add(
    'SQS FIFO',
    'ReceiveMessage by the event source mapping (one per invocation)',
    input.sqs.receives,
    'requests',
    sqsPrice,
  );
  add(
    'SQS FIFO',
    'DeleteMessageBatch by the event source mapping',
    input.sqs.deleteBatches,
    'requests',
    sqsPrice,
  );

  const wruPrice = prices.dynamodb.perMillionWriteRequestUnits / 1e6;
  add('DynamoDB', 'write request units (tables, transactions 2x)', input.dynamodb.wru, 'WRU', wruPrice);
  add('DynamoDB', 'write request units (global secondary index)', input.dynamodb.indexWru, 'WRU', wruPrice);
  add(
    'DynamoDB',
    'read request units',
    input.dynamodb.rru,
    'RRU',
    prices.dynamodb.perMillionReadRequestUnits / 1e6,
  );

  const logBytes =
    input.logs.bytes +
    invocations * PLATFORM_LOG_BYTES +
    (input.logs.events + invocations * PLATFORM_LOG_EVENTS) * prices.cloudwatch.logEventOverheadBytes;
  add(
    'CloudWatch Logs',
    'ingestion (function logs + EMF metrics + Lambda platform lines)',
    logBytes / 1024 ** 3,
    'GB',
    prices.cloudwatch.logsIngestionPerGb,
  );

  if (input.tracing) {
    add(
      'X-Ray',
      'traces recorded above the reservoir (5 % of invocations)',
      invocations * prices.xray.defaultFixedRate,
      'traces',
      prices.xray.perMillionTracesRecorded / 1e6,
    );
  }

  const fixed: FixedLine[] = [];
  for (const s of input.scheduled) {
    const gbSeconds = s.invocationsPerMonth * s.secondsPerInvocation * (s.memoryMb / 1024);
    fixed.push({
      service: 'Lambda',
      item: `${s.key}: ${s.invocationsPerMonth.toLocaleString('en-US')} scheduled invocations x ${s.secondsPerInvocation} s x ${s.memoryMb} MB`,
      perMonth:
        (s.invocationsPerMonth * prices.lambda.perMillionRequests) / 1e6 +
        gbSeconds * prices.lambda.arm64PerGbSecond,
    });
    fixed.push({
      service: 'DynamoDB',
      item: `${s.key}: queries (${Math.round(s.readUnitsPerMonth).toLocaleString('en-US')} RRU)`,
      perMonth: (s.readUnitsPerMonth * prices.dynamodb.perMillionReadRequestUnits) / 1e6,
    });
  }
  if (input.tracing) {
    const reservoirTraces = prices.xray.defaultReservoirPerSecond * SECONDS_PER_MONTH;
    fixed.push({
      service: 'X-Ray',
      item: `reservoir: ${reservoirTraces.toLocaleString('en-US')} traces (1 per second while traffic flows)`,
      perMonth: (reservoirTraces * prices.xray.perMillionTracesRecorded) / 1e6,
    });
  }
  fixed.push({
    service: 'CloudWatch',
    item: `${input.customMetrics} custom metrics (EMF)`,
    perMonth: input.customMetrics * prices.cloudwatch.customMetricPerMonth,
  });
  if (input.alarms > 0)
    fixed.push({
      service: 'CloudWatch',
      item: `${input.alarms} alarm(s)`,
      perMonth: input.alarms * prices.cloudwatch.alarmPerMonth,
    });
  if (input.dashboards > 0)
    fixed.push({
      service: 'CloudWatch',
      item: `${input.dashboards} dashboard(s)`,
      perMonth: input.dashboards * prices.cloudwatch.dashboardPerMonth,
    });

  const perMillion = lines.reduce((total, l) => total + l.perMillion, 0);
  const fixedPerMonth = fixed.reduce((total, l) => total + l.perMonth, 0);
  const monthlyPayments = MONTHLY_PAYMENTS_PER_MINUTE * 60 * 24 * 30;
  const variable = (perMillion * monthlyPayments) / 1e6;
  const storedBytes =
    input.dynamodb.bytesPut + input.dynamodb.itemsPut * prices.dynamodb.itemStorageOverheadBytes;
  const bytesPerPayment = storedBytes / n;
  return {
    lines,
    perMillion,
    fixed,
    fixedPerMonth,
    monthly: {
      paymentsPerMinute: MONTHLY_PAYMENTS_PER_MINUTE,
      payments: monthlyPayments,
      variable,
      fixed: fixedPerMonth,
      total: variable + fixedPerMonth,
    },
    storage: {
      bytesPerPayment,
      perMillionPerMonthRetained: ((bytesPerPayment * 1e6) / 1024 ** 3) * prices.dynamodb.storagePerGbMonth,
    },
    dynamodbUnitPrices: { wru: wruPrice, rru: prices.dynamodb.perMillionReadRequestUnits / 1e6 },
    pricesTakenOn: prices.takenOn,
    assumptions: [
      `us-east-1 list prices taken on ${prices.takenOn}, first tier, no free tier (tools/bench/prices.json)`,
      'Lambda durations are the local ones (in one Node process on this machine, DynamoDB Local latencies): a rough proxy for Lambda at 512 MB arm64',
      'settle duration = sum of per-record spans inside the function (idempotency record start -> completion); per-invocation overhead not included',
      'SQS receives = settle invocations (batching window 0: each non-empty receive is one invocation); empty long polls of an idle queue are not counted',
      'DynamoDB write units by AWS rules from the requests as sent (DynamoDB Local under-reports transactions); condition-failed writes billed as if they succeeded; index writes doubled in transactions',
      `log bytes measured at the AWS log level (INFO) + ${PLATFORM_LOG_BYTES} B of Lambda platform lines and ${prices.cloudwatch.logEventOverheadBytes} B per log event`,
      'X-Ray: default sampling rule (1 trace/s reservoir + 5 %), one trace per invocation',
      `monthly: ${MONTHLY_PAYMENTS_PER_MINUTE} payments/minute over a 30-day month (${monthlyPayments.toLocaleString('en-US')} payments)`,
    ],
  };
}
