import { randomUUID } from 'node:crypto';
import { DynamoNonceStore } from '../../shared/adapters/dynamodb/nonce-store';
import { uuidv7 } from '../../shared/domain/ids';
import type { Payment } from '../../shared/domain/payment';
import { instruction } from '../../shared/testing/builders';
import { testAdapters, testConfig } from '../support/adapters';

const adapters = testAdapters();

function newPayment(overrides: Partial<Payment> = {}): Payment {
  const now = Date.now();
  return {
    ...instruction({ references: { endToEndId: randomUUID().slice(0, 30) } }),
    paymentId: uuidv7(now),
    status: 'RECEIVED',
    createdAt: new Date(now).toISOString(),
    deadline: new Date(now + 15_000).toISOString(),
    version: 1,
    ...overrides,
  };
}

describe('DynamoPaymentStore on DynamoDB Local', () => {
  it('round-trips a payment exactly', async () => {
    const p = newPayment();
    await expect(adapters.payments.create(p)).resolves.toEqual({ created: true });
    await expect(adapters.payments.get(p.paymentId)).resolves.toEqual(p);
    await expect(
      adapters.payments.findByReference(p.partnerId, 'endToEndId', p.references.endToEndId),
    ).resolves.toEqual(p);
  });

  it('lets only one of many concurrent creates with the same EndToEndId win', async () => {
    const base = newPayment();
    const attempts = Array.from({ length: 5 }, () => newPayment({ references: base.references }));
    const outcomes = await Promise.all(
      attempts.map((p) => adapters.payments.create(p).catch((e: Error) => e)),
    );
    const created = outcomes.filter((o) => !(o instanceof Error) && o.created);
    expect(created).toHaveLength(1);
    const holder = await adapters.payments.findByReference(
      base.partnerId,
      'endToEndId',
      base.references.endToEndId,
    );
    for (const o of outcomes) {
      if (!(o instanceof Error) && !o.created) expect(o.existing.paymentId).toBe(holder?.paymentId);
    }
  });

  it('applies each transition once and records it', async () => {
    const p = newPayment();
    await adapters.payments.create(p);
    const at = new Date().toISOString();
    await expect(adapters.payments.markAccepted(p.paymentId, at)).resolves.toEqual({ applied: true });
    const again = await adapters.payments.markAccepted(p.paymentId, at);
    expect(again).toMatchObject({ applied: false, current: { status: 'ACCEPTED' } });
    await expect(adapters.payments.reject(p.paymentId, { code: 'AM04', message: 'x' }, at)).resolves.toEqual({
      applied: true,
    });
    const rejected = await adapters.payments.get(p.paymentId);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejection: { code: 'AM04' }, version: 3 });
    const late = await adapters.payments.reject(p.paymentId, { code: 'AB06', message: 'y' }, at);
    expect(late).toMatchObject({
      applied: false,
      current: { status: 'REJECTED', rejection: { code: 'AM04' } },
    });
  });

  it('rejects on deadline only when the deadline has really passed', async () => {
    const p = newPayment();
    await adapters.payments.create(p);
    const before = new Date(Date.parse(p.deadline) - 1).toISOString();
    const after = new Date(Date.parse(p.deadline) + 1).toISOString();
    const early = await adapters.payments.reject(p.paymentId, { code: 'AB06', message: 't' }, before, {
      onlyIfPastDeadline: true,
    });
    expect(early.applied).toBe(false);
    const onTime = await adapters.payments.reject(p.paymentId, { code: 'AB06', message: 't' }, after, {
      onlyIfPastDeadline: true,
    });
    expect(onTime.applied).toBe(true);
  });

  it('answers undefined for unknown ids', async () => {
    await expect(adapters.payments.get(uuidv7())).resolves.toBeUndefined();
  });
});

describe('DynamoNonceStore on DynamoDB Local', () => {
  const config = testConfig();

  it('lets a nonce be claimed once, even by concurrent requests', async () => {
    const nonces = new DynamoNonceStore(adapters.clients.documents, config.tables.nonces);
    const nonce = randomUUID();
    const claims = await Promise.all(Array.from({ length: 5 }, () => nonces.claim('key-1', nonce, 400)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await expect(nonces.claim('key-2', nonce, 400)).resolves.toBe(true);
  });

  it('frees a nonce whose TTL has passed even before DynamoDB deletes it', async () => {
    let now = Date.now();
    const nonces = new DynamoNonceStore(adapters.clients.documents, config.tables.nonces, () => now);
    const nonce = randomUUID();
    await expect(nonces.claim('k', nonce, 10)).resolves.toBe(true);
    await expect(nonces.claim('k', nonce, 10)).resolves.toBe(false);
    now += 11_000;
    await expect(nonces.claim('k', nonce, 10)).resolves.toBe(true);
  });
});

describe('DynamoPaymentStore: uniqueness keys (NOTPROVIDED, BizMsgIdr, which key collided)', () => {
  const partnerId = `partner-${randomUUID().slice(0, 8)}`;

  it('claims no key for EndToEndId NOTPROVIDED: two different payments are both created', async () => {
    const a = newPayment({ partnerId, references: { endToEndId: 'NOTPROVIDED' }, contentHash: 'h-a' });
    const b = newPayment({ partnerId, references: { endToEndId: 'NOTPROVIDED' }, contentHash: 'h-b' });
    await expect(adapters.payments.create(a)).resolves.toEqual({ created: true });
    await expect(adapters.payments.create(b)).resolves.toEqual({ created: true });
    await expect(
      adapters.payments.findByReference(partnerId, 'endToEndId', 'NOTPROVIDED'),
    ).resolves.toBeUndefined();
  });

  it('a BizMsgIdr is a key of its own, and the outcome names the key that collided', async () => {
    const bizMsgIdr = `20261202011104238${randomUUID().slice(0, 8)}`;
    const first = newPayment({ partnerId, references: { endToEndId: randomUUID().slice(0, 30), bizMsgIdr } });
    await expect(adapters.payments.create(first)).resolves.toEqual({ created: true });
    await expect(adapters.payments.findByReference(partnerId, 'bizMsgIdr', bizMsgIdr)).resolves.toEqual(
      first,
    );
    const again = newPayment({ partnerId, references: { endToEndId: randomUUID().slice(0, 30), bizMsgIdr } });
    await expect(adapters.payments.create(again)).resolves.toMatchObject({
      created: false,
      collidedOn: 'bizMsgIdr',
      existing: { paymentId: first.paymentId },
    });
    const msgId = `M${randomUUID()}`.slice(0, 30);
    const withMsgId = newPayment({ partnerId, references: { endToEndId: randomUUID().slice(0, 30), msgId } });
    await adapters.payments.create(withMsgId);
    await expect(
      adapters.payments.create(
        newPayment({ partnerId, references: { endToEndId: randomUUID().slice(0, 30), msgId } }),
      ),
    ).resolves.toMatchObject({ created: false, collidedOn: 'msgId' });
    await expect(
      adapters.payments.create(newPayment({ partnerId, references: first.references })),
    ).resolves.toMatchObject({ created: false, collidedOn: 'endToEndId' });
  });
});
