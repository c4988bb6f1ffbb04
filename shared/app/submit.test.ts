import { FakeClock, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { instruction } from '../testing/builders';
import { DuplicateError, OverloadedError, PermanentEnqueueError, TransientError } from '../domain/errors';
import { httpStatusOf } from '../edges/http/errors';
import { paymentDeadline, submitPayment } from './submit';

function setup() {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock();
  return { store, queue, clock, deps: { store, queue, clock, slaSeconds: 15 } };
}

describe('submitPayment', () => {
  it('records the payment, enqueues it and marks it ACCEPTED with a deadline SLA seconds ahead', async () => {
    const { store, queue, clock, deps } = setup();
    const { payment, duplicate } = await submitPayment(instruction(), deps);
    expect(duplicate).toBe(false);
    expect(payment.status).toBe('ACCEPTED');
    expect(Date.parse(payment.deadline) - clock.now()).toBe(15_000);
    expect(queue.messages).toHaveLength(1);
    expect(queue.messages[0]).toMatchObject({ v: 1, paymentId: payment.paymentId, amountMinor: 1000 });
    expect((await store.get(payment.paymentId))?.status).toBe('ACCEPTED');
    expect(store.events.map((e) => e.status)).toEqual(['RECEIVED', 'ACCEPTED']);
  });

  it('answers a true duplicate with the original payment and enqueues nothing new', async () => {
    const { queue, deps } = setup();
    const first = instruction();
    const a = await submitPayment(first, deps);
    const b = await submitPayment({ ...first }, deps);
    expect(b.duplicate).toBe(true);
    expect(b.payment.paymentId).toBe(a.payment.paymentId);
    expect(queue.messages).toHaveLength(1);
  });

  it('refuses the same EndToEndId with different content as DUPL', async () => {
    const { queue, deps } = setup();
    const first = instruction();
    await submitPayment(first, deps);
    await expect(
      submitPayment({ ...first, contentHash: 'other', amount: { ...first.amount, amountMinor: 5 } }, deps),
    ).rejects.toBeInstanceOf(DuplicateError);
    expect(queue.messages).toHaveLength(1);
  });

  it('leaves the payment RECEIVED when enqueue fails, and a retry of the same instruction completes it', async () => {
    const { store, queue, deps } = setup();
    const first = instruction();
    queue.failNext.push(new TransientError('sqs down'));
    await expect(submitPayment(first, deps)).rejects.toBeInstanceOf(TransientError);
    const [stored] = [...store.payments.values()];
    expect(stored?.status).toBe('RECEIVED');
    expect(queue.messages).toHaveLength(0);

    const retry = await submitPayment(first, deps);
    expect(retry.duplicate).toBe(true);
    expect(retry.payment.status).toBe('ACCEPTED');
    expect(queue.messages).toHaveLength(1);
  });

  it('keeps partners apart: the same EndToEndId from two partners makes two payments', async () => {
    const { deps } = setup();
    const a = await submitPayment(instruction({ references: { endToEndId: 'SAME' } }), deps);
    const b = await submitPayment(
      instruction({ partnerId: 'partner-b', references: { endToEndId: 'SAME' } }),
      deps,
    );
    expect(a.payment.paymentId).not.toBe(b.payment.paymentId);
  });

  it('makes a payment the queue refuses for good terminal at once (REJECTED, recorded), never a 500', async () => {
    const { deps, store, queue } = setup();
    queue.failNext.push(new PermanentEnqueueError('queue refused', 'InvalidMessageContents'));
    const { payment, duplicate } = await submitPayment(instruction(), deps);
    expect(duplicate).toBe(false);
    expect(payment).toMatchObject({ status: 'REJECTED', rejection: { code: 'NARR' } });
    expect((await store.get(payment.paymentId))?.status).toBe('REJECTED');
    expect(store.events.map((e) => e.status)).toEqual(['RECEIVED', 'REJECTED']);
    expect(queue.messages).toHaveLength(0);
  });
});

describe('paymentDeadline', () => {
  it('is the earlier of acceptance + SLA and the rail deadline', () => {
    const now = Date.parse('2026-12-02T15:00:00Z');
    expect(paymentDeadline(now, 15)).toBe(now + 15_000);
    expect(paymentDeadline(now, 15, '2026-12-02T15:00:08.000Z')).toBe(now + 8_000);
    expect(paymentDeadline(now, 15, '2026-12-02T15:00:30.000Z')).toBe(now + 15_000);
  });
});

describe('submitPayment with a rail deadline', () => {
  it('records the earlier deadline (FedNow CreDtTm + 20 s before acceptance + SLA)', async () => {
    const { deps, clock } = setup();
    const railDeadline = new Date(clock.now() + 5_000).toISOString();
    const { payment } = await submitPayment({ ...instruction(), railDeadline }, deps);
    expect(payment.deadline).toBe(railDeadline);
  });
});

describe('submitPayment: reference keys', () => {
  it('accepts two different payments that both carry EndToEndId NOTPROVIDED', async () => {
    const { deps, store } = setup();
    const a = await submitPayment(instruction({ references: { endToEndId: 'NOTPROVIDED' } }), deps);
    const b = await submitPayment(instruction({ references: { endToEndId: 'NOTPROVIDED' } }), deps);
    expect(a.payment.paymentId).not.toBe(b.payment.paymentId);
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    await expect(store.findByReference('partner-a', 'endToEndId', 'NOTPROVIDED')).resolves.toBeUndefined();
  });

  it('BizMsgIdr: same content -> the original, different content -> DUPL naming BizMsgIdr', async () => {
    const { deps } = setup();
    const first = instruction({ references: { endToEndId: 'E2E-B1', bizMsgIdr: 'BIZ-1' } });
    const original = await submitPayment(first, deps);
    const resent = await submitPayment(
      { ...first, references: { endToEndId: 'NOTPROVIDED', bizMsgIdr: 'BIZ-1' } },
      deps,
    );
    expect(resent).toMatchObject({ duplicate: true, payment: { paymentId: original.payment.paymentId } });
    await expect(
      submitPayment(instruction({ references: { endToEndId: 'E2E-B2', bizMsgIdr: 'BIZ-1' } }), deps),
    ).rejects.toThrow(/^AppHdr BizMsgIdr 'BIZ-1' was already used/);
  });

  it('DUPL names the reference that collided', async () => {
    const { deps } = setup();
    await submitPayment(instruction({ references: { endToEndId: 'E2E-D1', msgId: 'MSG-1' } }), deps);
    await expect(
      submitPayment(instruction({ references: { endToEndId: 'E2E-D2', msgId: 'MSG-1' } }), deps),
    ).rejects.toThrow(/^MsgId 'MSG-1'/);
    await expect(submitPayment(instruction({ references: { endToEndId: 'E2E-D1' } }), deps)).rejects.toThrow(
      /^EndToEndId 'E2E-D1'/,
    );
  });

  it('retries a create that met a transaction conflict, then answers the payment', async () => {
    const { deps, store } = setup();
    const original = store.create.bind(store);
    let calls = 0;
    store.create = async (payment, raw) => {
      calls++;
      if (calls === 1) throw new TransientError('create: transaction conflict or throttling');
      return original(payment, raw);
    };
    const { payment } = await submitPayment(instruction(), {
      ...deps,
      retryEnv: { sleep: async () => undefined, random: () => 0 },
    });
    expect(calls).toBe(2);
    expect(payment.status).toBe('ACCEPTED');
  });
});

describe('submitPayment with admission control', () => {
  const refuse = {
    check: async () => ({
      admit: false as const,
      reason: 'overloaded' as const,
      retryAfterSeconds: 4,
      estimatedWaitSeconds: 11,
    }),
  };

  it('refuses a new payment with OverloadedError before writing or queueing anything', async () => {
    const { store, queue, deps } = setup();
    const error = await submitPayment(instruction(), { ...deps, admission: refuse }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OverloadedError', code: 'OVERLOADED', retryAfterSeconds: 4 });
    expect(httpStatusOf(error as OverloadedError)).toBe(503);
    expect(store.events).toHaveLength(0);
    expect(queue.messages).toHaveLength(0);
  });

  it('answers a resend of a recorded payment (same content) with its status, even when refusing', async () => {
    const { queue, deps } = setup();
    const first = instruction();
    const a = await submitPayment(first, deps);
    const b = await submitPayment({ ...first }, { ...deps, admission: refuse });
    expect(b).toMatchObject({
      duplicate: true,
      payment: { paymentId: a.payment.paymentId, status: 'ACCEPTED' },
    });
    expect(queue.messages).toHaveLength(1);
  });

  it('answers 429 PARTNER_SHARE_EXCEEDED when it is the partner’s share that is spent', async () => {
    const { deps } = setup();
    const share = {
      check: async () => ({
        admit: false as const,
        reason: 'partner_share' as const,
        retryAfterSeconds: 1,
        estimatedWaitSeconds: 5,
      }),
    };
    const error = await submitPayment(instruction(), { ...deps, admission: share }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PARTNER_SHARE_EXCEEDED' });
    expect(httpStatusOf(error as OverloadedError)).toBe(429);
  });
});
