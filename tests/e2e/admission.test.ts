import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../shared/adapters/aws-clients';
import { parsePacs002Xml, type IsoNode } from '../../shared/iso20022';
import { FEDNOW_SCENARIO1, PACS008_SAMPLES, restampedFixture } from '../../shared/iso20022/__fixtures__';
import type { LocalStack } from '../../tools/local/stack';
import type { PartnerClient } from '../../shared/partner-client';
import { institutionAccount, testAdapters, testConfig } from '../support/adapters';
import {
  hmacClient,
  registerEd25519Partner,
  startTestStack,
  testPartnerRegistry,
} from '../support/local-stack';

/**
 * Admission control through the local HTTP API: with a tiny configured settle capacity
 * (1 payment/s, 2 s budget) and a settlement queue that already holds a backlog, a new payment
 * is refused 503 + Retry-After (JSON OVERLOADED; pacs.008 -> pacs.002 RJCT NARR in its envelope)
 * and nothing is recorded or queued; a resend of a payment recorded before is still answered
 * with its status.
 *
 * The functions get a queue of this test's own that no poller drains (PAYMENTS_QUEUE_URL), so
 * the backlog stays put and the shared queue of the other test files is never touched.
 */
const sqs = createAwsClients(testConfig()).sqs;
let queueUrl: string;
let stack: LocalStack;
let client: PartnerClient;
let adapters: ReturnType<typeof testAdapters>;
const recorded: string[] = [];

async function depth(): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

async function prefill(n: number): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Array.from({ length: n }, (_, i) => ({
        Id: `m${i}`,
        MessageBody: '{"backlog":true}',
        MessageGroupId: `backlog-${i}`,
        MessageDeduplicationId: randomUUID(),
      })),
    }),
  );
}

/** Past the backlog sample's age (ADMISSION_SAMPLE_MS below), so the next submit sees the queue anew. */
const nextSample = () => new Promise((resolve) => setTimeout(resolve, 150));

const debtor = institutionAccount('021000021', 'adm-d');
const creditor = institutionAccount('011000015', 'adm-c');

function payment(endToEndId: string): string {
  return JSON.stringify({
    endToEndId,
    debtorAccount: debtor,
    creditorAccount: creditor,
    amountMinor: 100,
    currency: 'USD',
  });
}

beforeAll(async () => {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `admission-e2e-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
    }),
  );
  queueUrl = created.QueueUrl ?? '';
  stack = await startTestStack({
    functionEnv: {
      PAYMENTS_QUEUE_URL: queueUrl,
      SETTLE_CAPACITY_PER_SECOND: '1',
      ADMISSION_BUDGET_SECONDS: '2',
      ADMISSION_SAMPLE_MS: '100',
      // The whole path (after validation), with resend answers and pacs.002; the local stage's
      // pre-authentication shedding and drain observation would refuse the resend too.
      ADMISSION_SHED_BEFORE_AUTH: 'false',
      ADMISSION_OBSERVE_DRAIN: 'false',
    },
  });
  client = hmacClient(stack);
  adapters = testAdapters(testConfig());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  // Payments recorded here never reach a poller: end them, so no sweeper of another test meets them.
  for (const id of recorded) {
    await adapters.payments.reject(
      id,
      { code: 'NARR', message: 'admission e2e cleanup' },
      new Date().toISOString(),
    );
  }
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
});

function node(value: IsoNode | undefined, ...path: string[]): IsoNode | undefined {
  let current = value;
  for (const key of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = (current as Record<string, IsoNode>)[key];
  }
  return current;
}

describe('admission control (local stack, capacity 1/s, budget 2 s)', () => {
  const resent = `ADM-${randomUUID().slice(0, 20)}`;

  it('admits while the backlog settles within the budget', async () => {
    expect(await depth()).toBe(0);
    const res = await client.submitPayment(payment(resent), 'application/json');
    expect(res.status).toBe(202);
    recorded.push((JSON.parse(res.body) as { paymentId: string }).paymentId);
    expect(await depth()).toBe(1);
  });

  it('refuses a new payment past the budget: 503 OVERLOADED + Retry-After, nothing recorded or queued', async () => {
    await prefill(5);
    await nextSample();
    const endToEndId = `ADM-${randomUUID().slice(0, 20)}`;
    const res = await client.submitPayment(payment(endToEndId), 'application/json');
    expect(res.status).toBe(503);
    // 6 waiting at 1/s: 7 s for a new one, 5 s past the 2 s budget.
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body)).toMatchObject({ error: { status: 503, code: 'OVERLOADED' } });
    expect(
      await adapters.payments.findByReference(stack.partner.partnerId, 'endToEndId', endToEndId),
    ).toBeUndefined();
    expect(await depth()).toBe(6);
  });

  it('still answers a resend of a recorded payment with its status', async () => {
    const res = await client.submitPayment(payment(resent), 'application/json');
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ paymentId: recorded[0], status: 'ACCEPTED' });
    expect(await depth()).toBe(6);
  });

  it('refuses a pacs.008 with a pacs.002 RJCT NARR in its own envelope, nothing recorded', async () => {
    const partnerId = `adm-${randomUUID().slice(0, 8)}`;
    const iso = await registerEd25519Partner(stack, testPartnerRegistry(), {
      partnerId,
      agentIds: ['011104238'],
    });
    const { body, refs } = restampedFixture(FEDNOW_SCENARIO1);
    const res = await iso.submitPayment(body, 'application/xml');
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['content-type']).toContain('application/xml');
    const answer = parsePacs002Xml(res.body);
    // The envelope the message came in (this sample: a bare Document).
    expect(answer.envelope).toBe(PACS008_SAMPLES.find((x) => x.file === FEDNOW_SCENARIO1)?.envelope);
    const tx = node(answer.FIToFIPmtStsRpt, 'TxInfAndSts');
    expect(node(tx, 'TxSts')).toBe('RJCT');
    expect(node(tx, 'OrgnlEndToEndId')).toBe(refs.endToEndId);
    expect(node(tx, 'StsRsnInf', 'Rsn', 'Cd')).toBe('NARR');
    expect(JSON.stringify(node(tx, 'StsRsnInf', 'AddtlInf'))).toContain('OVERLOADED');
    expect(
      await adapters.payments.findByReference(partnerId, 'endToEndId', refs.endToEndId ?? ''),
    ).toBeUndefined();
    expect(await depth()).toBe(6);
  });
});
