import { randomInt, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LocalStack } from '../../tools/local/stack';
import type { SqsPoller } from '../../tools/local/sqs-poller';
import type { PartnerClient, PreparedRequest } from '../../shared/partner-client';
import { emittedMetrics, isEmf, type EmittedMetric } from '../../shared/observability/testing/emf';
import type { IsolatedFifoQueue } from '../support/stand-ins';

/**
 * Observability end to end on the local stack: payments go through the real HTTP API (signed
 * with the partner client), the FIFO queue, the SQS poller and the functions, which run in this
 * process; every line they write to stdout / stderr is captured and checked:
 *  - every line is JSON; every line of a payment's submit and settle invocations carries its
 *    correlation ids (paymentId, partnerId, endToEndId; msgId for ISO 20022 messages);
 *  - no line holds a full account number, a debtor / creditor name or address, the partner's
 *    secret or a request signature;
 *  - the EMF metrics a payment produces have the expected names, dimensions and values.
 *
 * Isolation, so every captured line can be attributed: the stack's functions share one
 * Powertools Logger / Metrics in this one process (on Lambda each invocation has its own
 * process), and the shared payments queue is polled by every test file's stack. So the
 * functions here send to a queue of their own (PAYMENTS_QUEUE_URL overridden), the stack's
 * pollers are stopped, and a settle poller runs only between a submit's answer and the
 * payment's terminal status: one invocation at a time.
 *
 * Powertools reads its settings when its objects are built: the log level is raised and
 * metrics enabled (tests/support/env.ts disables them) BEFORE the stack loads the functions,
 * and everything that imports Powertools is imported dynamically below.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

const SUBMIT = 'rtp-pipeline-local-submitPayment';
const SETTLE = 'rtp-pipeline-local-settlePayment';

const lines: string[] = [];
let partial = '';
/**
 * Captures what the functions write. A chunk holding a raw ESC character is jest's own status
 * display (interactive terminals), passed through: JSON.stringify never writes a raw ESC.
 */
function capture(stream: NodeJS.WriteStream) {
  const original = stream.write.bind(stream) as (chunk: string | Uint8Array) => boolean;
  return jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\u001b')) return original(chunk);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim() !== '') lines.push(line);
    return true;
  });
}
const spies = [capture(process.stdout), capture(process.stderr)];

type StackSupport = typeof import('../support/local-stack');
type AdapterSupport = typeof import('../support/adapters');
type StandIns = typeof import('../support/stand-ins');
let stackSupport: StackSupport;
let adapterSupport: AdapterSupport;
let standIns: StandIns;
let stack: LocalStack;
let adapters: ReturnType<AdapterSupport['testAdapters']>;
let client: PartnerClient;
let queue: IsolatedFifoQueue;
let settleHandler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let startSqsPoller: (typeof import('../../tools/local/sqs-poller'))['startSqsPoller'];

/** Strings that must never appear in any captured line. */
const forbidden = new Set<string>();

beforeAll(async () => {
  standIns = await import('../support/stand-ins');
  stackSupport = await import('../support/local-stack');
  ({ startSqsPoller } = await import('../../tools/local/sqs-poller'));
  const { startLocalStack } = await import('../../tools/local/stack');
  const os = await import('node:os');
  const path = await import('node:path');
  const fs = await import('node:fs');

  queue = await standIns.createIsolatedFifoQueue('observability', {
    visibilityTimeout: 36,
    maxReceiveCount: 5,
  });
  const env = standIns.standInEnv();
  // What startTestStack does, plus this file's own queue (see the header comment).
  stack = await startLocalStack({
    httpPort: 0,
    emulators: { dynamodbEndpoint: env.RTP_DYNAMODB_ENDPOINT, sqsEndpoint: env.RTP_SQS_ENDPOINT },
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'rtp-obs-')),
    pollerWaitSeconds: 1,
    schedules: false,
    functionEnv: {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_DISABLED: 'false',
      PAYMENTS_QUEUE_URL: queue.queueUrl,
    },
  });
  await Promise.all(stack.pollers.map((poller) => poller.stop()));
  // Only now (STAGE and the rest of the functions' environment set): this builds Powertools.
  adapterSupport = await import('../support/adapters');
  settleHandler = (await import('../../functions/settle-payment/handler')).handler as typeof settleHandler;
  client = stackSupport.hmacClient(stack);
  adapters = adapterSupport.testAdapters(adapterSupport.testConfig());
  forbidden.add(stack.partner.hmac.secret);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await queue?.remove();
  adapters?.clients.dynamodb.destroy();
  standIns?.destroyStandInClients();
  for (const spy of spies) spy.mockRestore();
});

// ---------------------------------------------------------------------------------------------

interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly timestamp?: string;
  readonly service?: string;
  readonly function_name?: string;
  readonly function_request_id?: string;
  readonly [key: string]: unknown;
}

const parse = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};
const logLinesSince = (from: number): LogLine[] =>
  lines
    .slice(from)
    .map(parse)
    .filter((l): l is LogLine => typeof l === 'object' && l !== null && !isEmf(l));
const metricsSince = (from: number, to = lines.length): EmittedMetric[] =>
  emittedMetrics(lines.slice(from, to).map(parse).filter(isEmf));

/** Settles what is on this file's queue: one poller, one invocation at a time, until the payment is terminal. */
async function settle(paymentId: string): Promise<{ status: string; rejection?: { code: string } }> {
  const poller: SqsPoller = startSqsPoller({
    sqs: standIns.standInClients().sqs,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    region: 'us-east-1',
    functionName: SETTLE,
    handler: settleHandler,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    functionResponseType: 'ReportBatchItemFailures',
    timeoutSeconds: 6,
    concurrency: 1,
    waitTimeSeconds: 1,
  });
  try {
    const until = Date.now() + 15_000;
    for (;;) {
      const payment = await adapters.payments.get(paymentId);
      if (payment?.status === 'SETTLED' || payment?.status === 'REJECTED') {
        return {
          status: payment.status,
          ...(payment.rejection ? { rejection: { code: payment.rejection.code } } : {}),
        };
      }
      if (Date.now() > until) throw new Error(`payment ${paymentId} still ${payment?.status} after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await poller.stop(); // waits for the invocation in flight: its metrics are flushed
  }
}

/** A ledger account id in the real form (routing number : account number), unique, opened with a balance. */
async function account(
  routing: string,
  balanceMinor: number,
  number = String(randomInt(1_000_000_000, 9_999_999_999)),
  owner = routing === '021000021' ? stack.partner.partnerId : `owner-of-${routing}`,
): Promise<string> {
  const id = `${routing}:${number}`;
  await adapterSupport.openAccount(adapters, id, balanceMinor, { owner });
  forbidden.add(id);
  forbidden.add(number);
  return id;
}

/** Sends a signed request, remembering its signature headers as forbidden output. */
async function send(prepared: PreparedRequest, as: PartnerClient = client) {
  for (const name of ['signature', 'signature-input']) {
    const value = prepared.headers[name];
    if (value === undefined) continue;
    forbidden.add(value);
    const bytes = /=:([^:]+):/.exec(value)?.[1];
    if (bytes !== undefined) forbidden.add(bytes);
  }
  return as.send(prepared);
}

const jsonPayment = (
  debtor: string,
  creditor: string,
  amountMinor: number,
  endToEndId = `E2E-OBS-${randomUUID().slice(0, 8)}`,
) => ({
  endToEndId,
  body: JSON.stringify({
    endToEndId,
    debtorAccount: debtor,
    creditorAccount: creditor,
    amountMinor,
    currency: 'USD',
  }),
});

/** Every log line of the invocations of `fn` that mention the payment. */
function invocationLines(from: number, fn: string, paymentId: string): LogLine[] {
  const all = logLinesSince(from).filter((l) => l.function_name === fn);
  const ids = new Set(all.filter((l) => l.paymentId === paymentId).map((l) => l.function_request_id));
  return all.filter((l) => ids.has(l.function_request_id));
}

function expectCorrelated(entries: readonly LogLine[], ids: Record<string, string>): void {
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) expect(entry).toMatchObject(ids);
}

const dims = { service: 'rtp-pipeline', stage: 'local' };

// ---------------------------------------------------------------------------------------------

describe('observability on the local stack', () => {
  it('a JSON payment: correlated JSON lines from submit to settle, and its EMF metrics', async () => {
    const debtor = await account('021000021', 10_000);
    const creditor = await account('011000015', 0);
    const { endToEndId, body } = jsonPayment(debtor, creditor, 1_050);

    const from = lines.length;
    const res = await send(client.prepare('POST', '/payments', { body, contentType: 'application/json' }));
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    const submitted = lines.length;
    await expect(settle(paymentId)).resolves.toEqual({ status: 'SETTLED' });

    const ids = { paymentId, partnerId: stack.partner.partnerId, endToEndId };
    const submitLines = invocationLines(from, SUBMIT, paymentId);
    const settleLines = invocationLines(from, SETTLE, paymentId);
    expectCorrelated(submitLines, ids);
    expectCorrelated(settleLines, ids);
    expect(submitLines.map((l) => l.message)).toContain('payment accepted');
    expect(settleLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'payment settled', status: 'SETTLED', environment: 'local' }),
      ]),
    );

    expect(metricsSince(from, submitted)).toEqual([
      { namespace: 'RtpPipeline', name: 'PaymentsAccepted', unit: 'Count', dimensions: dims, values: [1] },
    ]);
    const settled = metricsSince(submitted);
    expect(settled.map((m) => m.name).sort()).toEqual([
      'EndToEndLatency',
      'PaymentsSettled',
      'QueueWaitTime',
    ]);
    expect(settled).toEqual(
      expect.arrayContaining([
        { namespace: 'RtpPipeline', name: 'PaymentsSettled', unit: 'Count', dimensions: dims, values: [1] },
        expect.objectContaining({ name: 'EndToEndLatency', unit: 'Milliseconds', dimensions: dims }),
        expect.objectContaining({ name: 'QueueWaitTime', unit: 'Milliseconds', dimensions: dims }),
      ]),
    );
    const latency = settled.find((m) => m.name === 'EndToEndLatency')?.values ?? [];
    const wait = settled.find((m) => m.name === 'QueueWaitTime')?.values ?? [];
    expect(latency).toHaveLength(1);
    expect(latency[0]).toBeGreaterThan(0);
    expect(latency[0]).toBeLessThan(15_000);
    expect(wait).toHaveLength(1);
    expect(wait[0]).toBeGreaterThanOrEqual(0);
    expect(wait[0]).toBeLessThanOrEqual(latency[0] ?? 0);
  });

  it('an ISO 20022 pacs.008: names, addresses and account numbers never logged; MsgId correlated', async () => {
    const { restampedFixture, FEDNOW_SCENARIO1 } = await import('../../shared/iso20022/__fixtures__');
    const partnerId = `obs-${randomUUID().slice(0, 8)}`;
    const iso = await stackSupport.registerEd25519Partner(stack, stackSupport.testPartnerRegistry(), {
      partnerId,
      agentIds: ['011104238'],
    });

    const debtorNumber = String(randomInt(1_000_000_000, 9_999_999_999));
    const creditorNumber = String(randomInt(10_000_000_000, 99_999_999_999));
    await account('011104238', 1_000_000, debtorNumber, partnerId);
    await account('021040078', 0, creditorNumber);
    // Restamped: the rail clock rules refuse the sample's 2023 CreDtTm / IntrBkSttlmDt.
    const stamped = restampedFixture(FEDNOW_SCENARIO1);
    const xml = stamped.body
      .replace('<Id>0031234567</Id>', `<Id>${debtorNumber}</Id>`)
      .replace('<Id>56478374687</Id>', `<Id>${creditorNumber}</Id>`);
    for (const party of ['Dbtr', 'Cdtr']) {
      const block = new RegExp(`<${party}>([\\s\\S]*?)</${party}>`).exec(xml)?.[1] ?? '';
      for (const [, text] of block.matchAll(/>([^<>]*[A-Za-z][^<>]*)</g))
        if (text && text.trim().length >= 4) forbidden.add(text.trim());
    }
    expect([...forbidden]).toEqual(
      expect.arrayContaining(['Individual A', 'Dream Road', 'Corporation B', 'Carol Stream']),
    );

    const from = lines.length;
    const res = await send(
      iso.prepare('POST', '/payments', { body: xml, contentType: 'application/xml' }),
      iso,
    );
    expect(res.status).toBe(202);
    const paymentId = res.headers.location?.split('/').pop() ?? '';
    await expect(settle(paymentId)).resolves.toEqual({ status: 'SETTLED' });

    const ids = {
      paymentId,
      partnerId,
      endToEndId: stamped.refs.endToEndId ?? '',
      msgId: stamped.refs.msgId ?? '',
    };
    expectCorrelated(invocationLines(from, SUBMIT, paymentId), ids);
    expectCorrelated(invocationLines(from, SETTLE, paymentId), ids);
  });

  it('a rejection, a refusal, a replay and a bad signature: their metrics and dimensions', async () => {
    const debtor = await account('021000021', 100);
    const creditor = await account('011000015', 0);
    const { endToEndId, body } = jsonPayment(debtor, creditor, 101);

    const from = lines.length;
    const res = await send(client.prepare('POST', '/payments', { body, contentType: 'application/json' }));
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    const submitted = lines.length;
    await expect(settle(paymentId)).resolves.toEqual({ status: 'REJECTED', rejection: { code: 'AM04' } });
    expectCorrelated(invocationLines(from, SETTLE, paymentId), { paymentId, endToEndId });
    const rejected = metricsSince(submitted);
    expect(rejected).toEqual(
      expect.arrayContaining([
        { namespace: 'RtpPipeline', name: 'PaymentsRejected', unit: 'Count', dimensions: dims, values: [1] },
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRejected',
          unit: 'Count',
          dimensions: { ...dims, reasonCode: 'AM04' },
          values: [1],
        },
        expect.objectContaining({ name: 'EndToEndLatency', dimensions: dims }),
      ]),
    );
    expect(rejected.map((m) => m.name)).not.toContain('SlaBreaches');
    expect(rejected.map((m) => m.name)).not.toContain('PaymentsSettled');

    const replayFrom = lines.length;
    const again = await send(client.prepare('POST', '/payments', { body, contentType: 'application/json' }));
    expect(JSON.parse(again.body)).toMatchObject({ paymentId });
    expect(metricsSince(replayFrom)).toEqual(
      expect.arrayContaining([
        { namespace: 'RtpPipeline', name: 'IdempotentReplays', unit: 'Count', dimensions: dims, values: [1] },
        {
          namespace: 'RtpPipeline',
          name: 'IdempotentReplays',
          unit: 'Count',
          dimensions: { ...dims, source: 'submit' },
          values: [1],
        },
      ]),
    );

    const refusalFrom = lines.length;
    const refused = await send(
      client.prepare('POST', '/payments', {
        body: jsonPayment(debtor, creditor, -5).body,
        contentType: 'application/json',
      }),
    );
    expect(refused.status).toBe(400);
    expect(metricsSince(refusalFrom)).toEqual(
      expect.arrayContaining([
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRefusedAtIntake',
          unit: 'Count',
          dimensions: dims,
          values: [1],
        },
        {
          namespace: 'RtpPipeline',
          name: 'PaymentsRefusedAtIntake',
          unit: 'Count',
          dimensions: { ...dims, reasonCode: 'AM12' },
          values: [1],
        },
      ]),
    );

    const badFrom = lines.length;
    const prepared = client.prepare('POST', '/payments', {
      body: jsonPayment(debtor, creditor, 5).body,
      contentType: 'application/json',
    });
    const tampered = await send({
      ...prepared,
      body: Buffer.from(jsonPayment(debtor, creditor, 5_000).body),
    });
    expect(tampered.status).toBe(401);
    const failures = metricsSince(badFrom).filter((m) => m.name === 'SignatureFailures');
    expect(failures).toEqual(
      expect.arrayContaining([
        { namespace: 'RtpPipeline', name: 'SignatureFailures', unit: 'Count', dimensions: dims, values: [1] },
        expect.objectContaining({
          dimensions: { ...dims, reason: expect.stringMatching(/^[a-z_]+$/) },
          values: [1],
        }),
      ]),
    );
    // The refusal is logged with the key id it claimed, never with the signature.
    expect(logLinesSince(badFrom)).toEqual(
      expect.arrayContaining([expect.objectContaining({ keyId: stack.partner.hmac.keyId })]),
    );
  });

  it('every line written so far is JSON and none holds an account number, name, address, secret or signature', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(forbidden.size).toBeGreaterThan(10);
    for (const line of lines) {
      const entry = parse(line);
      expect({ line, json: typeof entry === 'object' && entry !== null }).toEqual({ line, json: true });
      if (!isEmf(entry))
        expect(entry).toEqual(
          expect.objectContaining({
            level: expect.any(String),
            message: expect.any(String),
            service: 'rtp-pipeline',
            timestamp: expect.any(String),
          }),
        );
      for (const value of forbidden) {
        if (line.includes(value)) throw new Error(`leaked ${JSON.stringify(value)} in ${line}`);
      }
    }
  });
});
