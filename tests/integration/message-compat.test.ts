import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createSettleHandler } from '../../shared/edges/queue/settle-consumer';
import { toSqsRecord } from '../../tools/local/sqs-event';
import { accountKey } from '../../shared/adapters/dynamodb/ledger';
import { sweepShard, toPaymentItem } from '../../shared/adapters/dynamodb/payment-items';
import { parseSettlementMessage } from '../../shared/domain/settlement-message';
import type { CurrencyCode } from '../../shared/domain/currency';
import { MalformedRequestError } from '../../shared/domain/errors';
import { type Payment } from '../../shared/domain/payment';
import { systemClock } from '../../shared/domain/ports';
import { defaultRetryPolicy } from '../../shared/domain/retry';
import { FORMAT_HISTORY, type FormatSample } from '../../release/domain/formats';
import { InProcessInvoker } from '../../release/local/in-process-invoker';
import { testAdapters, testConfig, uniqueAccount } from '../support/adapters';
import {
  createIsolatedFifoQueue,
  destroyStandInClients,
  standInClients,
  standInEnv,
  type IsolatedFifoQueue,
} from '../support/stand-ins';
import { toSettlementMessage } from '../../shared/domain/settlement-message';
import { messageGroupId } from '../../shared/domain/settlement-message';

/**
 * Compatibility across versions (docs/release.md): while CodeDeploy shifts traffic, the previous
 * and the new version run side by side and read each other's queue messages and table items.
 * The samples in release/domain/formats/ are frozen exactly as the previous release wrote them;
 * the current code must settle those messages against those items, and must itself keep writing
 * every field a reader of those formats requires.
 */
const config = testConfig();
const adapters = testAdapters(config);
let queue: IsolatedFifoQueue;

beforeAll(async () => {
  queue = await createIsolatedFifoQueue('message-compat');
});

afterAll(async () => {
  await queue?.remove();
  destroyStandInClients();
});

/** The sample with some values replaced: same fields, same order, same types (never a new field). */
function like(
  sample: Readonly<Record<string, unknown>>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(values)) {
    if (!(key in sample)) throw new Error(`the frozen sample has no field ${key}`);
    if (typeof value !== typeof sample[key]) throw new Error(`${key} changes type`);
  }
  return { ...sample, ...values };
}

describe('a message written by the previous release', () => {
  // The current settle consumer, invoked as Lambda would (event and answer through JSON).
  const current = new InProcessInvoker({
    settlePayment: {
      timeoutSeconds: 6,
      handler: createSettleHandler({
        store: adapters.payments,
        ledger: adapters.ledger,
        clock: systemClock,
        retry: defaultRetryPolicy,
        maxReceiveCount: 5,
        idempotency: { client: adapters.clients.dynamodb, tableName: config.tables.idempotency },
      }),
    },
  });

  it.each(
    FORMAT_HISTORY.settlementMessage.map((format, i) => [`v${format.version} #${i + 1}`, format] as const),
  )(
    'is settled by the current code (%s): through the queue, against items in the previous format',
    async (_label, format: FormatSample) => {
      const [accountSample] = FORMAT_HISTORY.accountItem;
      const [itemSample] = FORMAT_HISTORY.paymentItem;
      if (!accountSample || !itemSample) throw new Error('format history is empty');
      const paymentId = randomUUID();
      const debtor = uniqueAccount('021000021');
      const creditor = uniqueAccount('011000015');
      const amountMinor = Number(format.sample.amountMinor);
      const now = Date.now();
      const acceptedAt = new Date(now).toISOString();
      const deadline = new Date(now + 15_000).toISOString();

      // The ledger and the payment exactly as the previous release left them.
      const { documents } = adapters.clients;
      for (const [accountId, balanceMinor] of [
        [debtor, 1_000_000],
        [creditor, 0],
      ] as const) {
        await documents.send(
          new PutCommand({
            TableName: config.tables.ledger,
            Item: like(accountSample.sample, {
              ...accountKey(accountId),
              accountId,
              balanceMinor,
              availableMinor: balanceMinor,
            }),
          }),
        );
      }
      await documents.send(
        new PutCommand({
          TableName: config.tables.payments,
          Item: like(itemSample.sample, {
            pk: `PAY#${paymentId}`,
            paymentId,
            debtorAccount: debtor,
            creditorAccount: creditor,
            amountMinor,
            endToEndId: String(format.sample.endToEndId),
            createdAt: acceptedAt,
            acceptedAt,
            deadline,
            deadlineEpochMs: Date.parse(deadline),
            sweepShard: sweepShard(paymentId),
          }),
        }),
      );

      // Its message, byte for byte in the previous format, through a real FIFO queue.
      const body = JSON.stringify(
        like(format.sample, {
          paymentId,
          debtorAccount: debtor,
          creditorAccount: creditor,
          acceptedAt,
          deadline,
        }),
      );
      const { sqs } = standInClients();
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: body,
          MessageGroupId: messageGroupId(debtor),
          MessageDeduplicationId: paymentId,
        }),
      );
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 2,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const [message] = received.Messages ?? [];
      expect(message?.Body).toBe(body);

      const response = await current.invoke('settlePayment', '$LATEST', {
        Records: [toSqsRecord(message ?? {}, queue.queueArn, standInEnv().AWS_REGION)],
      });

      expect(response).toEqual({ ok: true, payload: { batchItemFailures: [] } });
      expect(await adapters.payments.get(paymentId)).toMatchObject({
        status: 'SETTLED',
        amount: { amountMinor },
      });
      expect((await adapters.ledger.getAccount(debtor))?.balanceMinor).toBe(1_000_000 - amountMinor);
      expect((await adapters.ledger.getAccount(creditor))?.balanceMinor).toBe(amountMinor);
    },
  );
});

describe('what the current code writes, the previous release can read', () => {
  const [messageV1] = FORMAT_HISTORY.settlementMessage;
  const [itemV1] = FORMAT_HISTORY.paymentItem;
  const [accountV1] = FORMAT_HISTORY.accountItem;

  /** Every field of the sample is there with the same JSON type (extra fields are additive: old readers ignore them). */
  function assertReadableAs(written: Record<string, unknown>, sample: Readonly<Record<string, unknown>>) {
    const types = (o: Readonly<Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));
    expect(types(written)).toMatchObject(types(sample));
  }

  const payment: Payment = {
    paymentId: randomUUID(),
    partnerId: 'demo-bank',
    status: 'ACCEPTED',
    references: { endToEndId: 'E2E-COMPAT-1' },
    debtorAccount: '021000021:1000001',
    creditorAccount: '011000015:2000001',
    amount: { amountMinor: 1050, currency: 'USD' as CurrencyCode },
    source: 'json',
    contentHash: 'a'.repeat(64),
    createdAt: new Date().toISOString(),
    acceptedAt: new Date().toISOString(),
    deadline: new Date(Date.now() + 15_000).toISOString(),
    version: 2,
  };

  it('the queue message keeps every v1 field and stays v1', () => {
    const written = JSON.parse(
      JSON.stringify(toSettlementMessage(payment, payment.acceptedAt ?? '')),
    ) as Record<string, unknown>;
    assertReadableAs(written, messageV1?.sample ?? {});
    expect(written.v).toBe(1);
  });

  it('the payment item keeps every field of the previous format', () => {
    assertReadableAs(
      JSON.parse(JSON.stringify(toPaymentItem(payment))) as Record<string, unknown>,
      itemV1?.sample ?? {},
    );
  });

  it('the account item keeps every field of the previous format', async () => {
    const accountId = uniqueAccount('021000021');
    await adapters.ledger.putAccount({
      accountId,
      ownerPartnerId: 'demo-bank',
      currency: 'USD' as CurrencyCode,
      status: 'OPEN',
      balanceMinor: 5,
      overdraftLimitMinor: 0,
    });
    const { Item } = await adapters.clients.documents.send(
      new GetCommand({ TableName: config.tables.ledger, Key: accountKey(accountId) }),
    );
    assertReadableAs(Item ?? {}, accountV1?.sample ?? {});
  });
});

describe('the message version rule', () => {
  const sample = FORMAT_HISTORY.settlementMessage[0]?.sample ?? {};

  it('accepts an additive optional field without a version bump (readers ignore what they do not know)', () => {
    const parsed = parseSettlementMessage(JSON.stringify({ ...sample, purposeCode: 'GDDS' }));
    expect(parsed.paymentId).toBe(sample.paymentId);
    expect(parsed).not.toHaveProperty('purposeCode');
  });

  it('refuses a version it does not know: a new `v` must be readable everywhere before anyone writes it', () => {
    expect(() => parseSettlementMessage(JSON.stringify({ ...sample, v: 2 }))).toThrow(MalformedRequestError);
  });
});
