/**
 * Issue 5, one failure mode at a time: deterministic scenarios of the real pipeline (submit use case ->
 * SQS FIFO -> local event source mapping -> settle handler -> DynamoDB), each injecting one fault the
 * chaos property (bank.property.test.ts) mixes at random, and checking that the payment is settled (or
 * rejected) exactly once and that nobody else's money moved.
 *
 * The scenarios share two worlds (tables, FIFO queue with maxReceiveCount 4, batches of one): one with a
 * 2 s visibility timeout and function timeout for the redelivery scenarios, one with 6 s for the retries
 * within an invocation. They run concurrently, each with its own accounts and payment (so its own message
 * group): they are started in beforeAll and every test awaits and checks its own. The clock-jump
 * scenario runs last, alone, since it moves everyone's time.
 */
import { redriveDeadLetters } from '../../shared/adapters/sqs/redrive';
import { destroyStandInClients } from '../support/stand-ins';
import type { FaultRule, SettleAttempt } from './faults';
import { ChaosWorld, quietZombieWarnings, sleep, type PaymentSpec } from './harness';

jest.setTimeout(60_000);
quietZombieWarnings();

const AMOUNT = 2_500;
const OPENING = 10_000;

interface Observed {
  readonly paymentId: string;
  readonly status: string | undefined;
  readonly rejectionCode: string | undefined;
  readonly debtorBalance: number | undefined;
  readonly creditorBalance: number | undefined;
  readonly debtorJournal: number[];
  readonly creditorJournal: number[];
  /** ApproximateReceiveCount of each delivery of the payment's messages. */
  readonly deliveries: number[];
  /** Settlement transactions sent or cut short by a fault, retries included. */
  readonly settleCalls: number;
  /** Settlement attempts (one per run of the settle use case, i.e. per ClientRequestToken), in order. */
  readonly attempts: SettleAttempt[];
  /** Attempts that started after the payment's idempotency record was completed. */
  readonly attemptsAfterCompletion: number;
  readonly timeouts: number;
  readonly idempotency: { status: string; data?: unknown } | undefined;
  /** Duplicate sends: what each send answered. */
  readonly answers?: Array<{ paymentId: string; duplicate: boolean; status: string }>;
  /** Poison: deliveries of the unparseable message. */
  readonly garbled?: number[];
  /** Redrive: the payment when its message was in the DLQ, and what the redrive moved. */
  readonly redrive?: { before: Observed; flagged: boolean | undefined; moved: string[] };
}

/** Redelivery scenarios: visibility timeout = function timeout = 2 s, so redeliveries come fast. */
let world: ChaosWorld;
/**
 * Retry-within-the-invocation scenarios: a production-like 6 s function timeout, so that a loaded machine
 * cannot cut an attempt short before the behaviour under test (retries of one attempt) has happened.
 */
let patient: ChaosWorld;
const scenarios = new Map<string, Promise<Observed>>();

/** Accounts of their own (10,000 on the debtor) and the fault plan of one payment. */
async function preparePayment(label: string, faults: readonly FaultRule[], w = world): Promise<PaymentSpec> {
  const spec: PaymentSpec = {
    id: label,
    endToEndId: `E2E-${label}`,
    debtor: `${label}-debtor`,
    creditor: `${label}-creditor`,
    amountMinor: AMOUNT,
  };
  await w.openAccounts([
    { id: spec.debtor, balanceMinor: OPENING },
    { id: spec.creditor, balanceMinor: 0 },
  ]);
  w.faults.plan(spec.id, faults);
  return spec;
}

/** The partner: resends on an error (e.g. two concurrent sends conflicting on the uniqueness key). */
async function submit(
  spec: PaymentSpec,
  w = world,
): Promise<{ paymentId: string; duplicate: boolean; status: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { payment, duplicate } = await w.submit(spec);
      return { paymentId: payment.paymentId, duplicate, status: payment.status };
    } catch (error) {
      if (attempt >= 4) throw error;
      await sleep(50);
    }
  }
}

async function observe(spec: PaymentSpec, paymentId = spec.id, w = world): Promise<Observed> {
  const payment = await w.store.get(paymentId);
  const attempts = w.faults.settleAttempts(paymentId);
  const completedAt = w.faults.completedAt(paymentId) ?? Number.POSITIVE_INFINITY;
  return {
    paymentId,
    status: payment?.status,
    rejectionCode: payment?.rejection?.code,
    debtorBalance: await w.balance(spec.debtor),
    creditorBalance: await w.balance(spec.creditor),
    debtorJournal: await w.journal(spec.debtor),
    creditorJournal: await w.journal(spec.creditor),
    deliveries: w.deliveries.get(paymentId) ?? [],
    settleCalls: w.faults.calls(paymentId, 'settle.tx'),
    attempts,
    attemptsAfterCompletion: attempts.filter((attempt) => attempt.startedAt > completedAt).length,
    timeouts: w.timeouts.get(paymentId) ?? 0,
    idempotency: await w.idempotencyRecord(paymentId),
  };
}

/** Submit one payment with one fault plan, wait until its story is over, observe. */
async function scenario(label: string, faults: readonly FaultRule[], w = world): Promise<Observed> {
  const spec = await preparePayment(label, faults, w);
  await submit(spec, w);
  await w.waitUntilDone(spec.id, { timeoutMs: 40_000 });
  return observe(spec, spec.id, w);
}

/**
 * Distinct messages delivered (a message's first receive has ApproximateReceiveCount 1) and redeliveries.
 * Counted this way, an extra redelivery caused by a loaded machine (a time-out) does not fail a test whose
 * point is elsewhere.
 */
const messages = (o: Observed): number => o.deliveries.filter((count) => count === 1).length;
const redeliveries = (o: Observed): number => o.deliveries.length - messages(o);
/** Attempts whose calls DynamoDB accepted (a transaction applied, or a retry deduplicated by its token). */
const applied = (o: Observed): SettleAttempt[] => o.attempts.filter((attempt) => attempt.applied > 0);

function expectSettledOnce(o: Observed): void {
  expect(o.status).toBe('SETTLED');
  expect([o.debtorBalance, o.creditorBalance]).toEqual([OPENING - AMOUNT, AMOUNT]);
  expect([o.debtorJournal, o.creditorJournal]).toEqual([[-AMOUNT], [AMOUNT]]);
}

const fault = (site: FaultRule['site'], kind: FaultRule['kind'], from = 1, times = 1): FaultRule => ({
  site,
  kind,
  from,
  times,
});

const ghostMessage = (debtor: string, creditor: string): string =>
  JSON.stringify({
    v: 1,
    paymentId: 'ghost-payment',
    partnerId: 'partner-chaos',
    debtorAccount: debtor,
    creditorAccount: creditor,
    amountMinor: AMOUNT,
    currency: 'USD',
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    acceptedAt: new Date().toISOString(),
    endToEndId: 'E2E-GHOST',
  });
const GARBLED = '{"v":1,"paymentId":"garbled"';

beforeAll(async () => {
  // Batches of one: a crash or a time-out fails its whole batch (as on AWS), and the scenarios must not
  // take each other down (the property test mixes batch sizes on purpose).
  [world, patient] = await Promise.all([
    ChaosWorld.create({ name: 'modes', batchSize: 1, pollerInstances: 2, pollerConcurrency: 2 }),
    ChaosWorld.create({ name: 'modes-retry', batchSize: 1, visibilityTimeoutSeconds: 6, pollerInstances: 1 }),
  ]);
  world.startConsumers();
  patient.startConsumers();
  const run = (name: string, body: () => Promise<Observed>): Promise<Observed> => {
    const promise = body();
    promise.catch(() => undefined); // awaited (and reported) by its test
    scenarios.set(name, promise);
    return promise;
  };

  run('duplicate sends', async () => {
    const spec = await preparePayment('dup-send', []);
    const [first, second] = await Promise.all([submit(spec), submit(spec)]);
    await world.waitUntilDone(first.paymentId);
    const later = await submit(spec);
    const observed = await observe(spec, first.paymentId);
    return { ...observed, answers: [first, second, later] };
  });
  run('duplicate delivery', async () => {
    const spec = await preparePayment('dup-delivery', []);
    await submit(spec);
    await world.waitUntilDone(spec.id);
    await world.redeliver(spec.id);
    await world.waitUntilDone(spec.id, { deletes: 2 });
    return observe(spec);
  });
  run('zombie', () => scenario('zombie', [fault('settle.tx', 'slow')]));
  run('crash before the transaction', () =>
    scenario('crash-before-tx', [fault('settle.tx', 'crash-before')]),
  );
  run('crash after the transaction', () => scenario('crash-after-tx', [fault('settle.tx', 'crash-after')]));
  run('completion fails', () => scenario('completion-fails', [fault('idem.complete', 'throttle')]));
  run('crash after the completion', () =>
    scenario('crash-after-completion', [fault('idem.complete', 'crash-after')]),
  );
  run('lost delete', () => scenario('lost-delete', [fault('delete', 'lost-delete')]));
  run('hang', () => scenario('hang', [fault('settle.tx', 'hang')]));
  run('lost response', () => scenario('lost-response', [fault('settle.tx', 'lost-response')], patient));
  run('throttling', () =>
    scenario(
      'throttled',
      [fault('settle.tx', 'throttle', 1, 2), fault('settle.tx', 'capacity', 3, 1)],
      patient,
    ),
  );
  run('capacity on the idempotency record', () => scenario('idem-capacity', [fault('idem.put', 'capacity')]));
  run('conflicts', () => scenario('conflicts', [fault('settle.tx', 'conflict', 1, 3)], patient));
  run('conflicts beyond the retry budget', () =>
    scenario('conflict-burst', [fault('settle.tx', 'conflict', 1, 6)], patient),
  );
  // The redrive scenario reads the DLQ's message count, so poison (also DLQ-bound) waits for it.
  const redrive = run('redrive', async () => {
    // Throttled on every receive: the message goes to the DLQ (and the payment is flagged), then the
    // runbook's redrive moves it back once the cause is gone.
    const spec = await preparePayment('redrive', [fault('idem.put', 'capacity', 1, 4)]);
    await submit(spec);
    await world.waitForDlqCount(1, 40_000);
    const before = await observe(spec);
    const flagged = (await world.snapshot({ dlq: false })).payments.get(spec.id)?.flagged;
    const moved = await redriveDeadLetters(world.sqs, {
      dlqUrl: world.queue.dlqUrl,
      queueUrl: world.queue.queueUrl,
    });
    await world.waitUntilDone(spec.id);
    return { ...(await observe(spec)), redrive: { before, flagged, moved: moved.paymentIds } };
  });
  run('poison', async () => {
    await redrive.catch(() => undefined);
    const spec = await preparePayment('poison', []);
    const ghost = ghostMessage(spec.debtor, spec.creditor);
    await world.sendRaw(GARBLED, 'poison-garbled');
    await world.sendRaw(ghost, 'poison-ghost');
    await world.waitInDlq([GARBLED, ghost], 40_000);
    return {
      ...(await observe(spec, 'ghost-payment')),
      garbled: world.deliveries.get(`raw:${GARBLED}`) ?? [],
    };
  });
  const others = [...scenarios.values()];
  run('deadline', async () => {
    await Promise.allSettled(others);
    // The first delivery dies before anything is written; meanwhile the clock jumps past the deadline.
    const spec = await preparePayment('deadline', [fault('idem.put', 'crash-before')]);
    await submit(spec);
    world.clock.advance((world.slaSeconds + 1) * 1000);
    await world.waitUntilDone(spec.id, { timeoutMs: 30_000 });
    return observe(spec);
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(scenarios.values());
  await Promise.all([world.stop(), patient.stop()]);
  destroyStandInClients();
});

const observed = (name: string): Promise<Observed> => {
  const promise = scenarios.get(name);
  if (promise === undefined) throw new Error(`no scenario ${name}`);
  return promise;
};

describe('chaos: one failure mode at a time', () => {
  it('duplicate sends (two concurrent, one after settlement) record one payment, queue it once and settle it once', async () => {
    const o = await observed('duplicate sends');
    const answers = o.answers ?? [];
    expectSettledOnce(o);
    expect(new Set(answers.map((answer) => answer.paymentId))).toEqual(new Set([o.paymentId]));
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(answers[2]).toMatchObject({ duplicate: true, status: 'SETTLED' });
    expect(messages(o)).toBe(1); // the second enqueue, if any, was dropped by the FIFO dedup id
  });

  it('a duplicate delivery with a new dedup id (as after the 5-minute window) is answered by the idempotency record', async () => {
    const o = await observed('duplicate delivery');
    expectSettledOnce(o);
    expect(messages(o)).toBe(2);
    expect(o.attemptsAfterCompletion).toBe(0); // the copy never reached the ledger
  });

  it('redelivery while the first consumer is still working (a zombie slower than the visibility timeout) moves the money once', async () => {
    const o = await observed('zombie');
    expectSettledOnce(o);
    expect(o.timeouts).toBeGreaterThanOrEqual(1);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
    // The zombie's attempt and the redelivery's both reached the ledger; one of them moved the money.
    expect(o.attempts.length).toBeGreaterThanOrEqual(2);
    expect(applied(o)).toHaveLength(1);
  });

  it('a crash before the transaction: nothing written, the redelivery settles it', async () => {
    const o = await observed('crash before the transaction');
    expectSettledOnce(o);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
    expect(o.attempts[0]).toMatchObject({ injected: 1, applied: 0 }); // died before sending
    expect(applied(o)).toHaveLength(1);
  });

  it('a crash after the transaction, before the idempotency completion: the redelivery answers SETTLED and moves no money', async () => {
    const o = await observed('crash after the transaction');
    expectSettledOnce(o);
    expect(o.attempts[0]).toMatchObject({ injected: 1, applied: 1 }); // applied, then the process died
    expect(o.attempts.length).toBeGreaterThanOrEqual(2);
    expect(applied(o)).toHaveLength(1); // the later attempts were refused by the ledger's conditions
    expect(o.idempotency).toMatchObject({ status: 'COMPLETED', data: { status: 'SETTLED', replay: true } });
  });

  it('the idempotency completion (UpdateItem) fails after the money moved: the redelivery answers SETTLED and moves no money', async () => {
    const o = await observed('completion fails');
    expectSettledOnce(o);
    expect(world.faults.count('throttle', 'idem.complete')).toBeGreaterThanOrEqual(1);
    expect(o.attempts.length).toBeGreaterThanOrEqual(2);
    expect(applied(o)).toHaveLength(1);
    expect(o.idempotency).toMatchObject({ status: 'COMPLETED', data: { status: 'SETTLED', replay: true } });
  });

  it('a crash after the idempotency completion: the redelivery is answered from the record', async () => {
    const o = await observed('crash after the completion');
    expectSettledOnce(o);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
    expect(o.attemptsAfterCompletion).toBe(0);
    expect(o.idempotency).toMatchObject({ status: 'COMPLETED', data: { status: 'SETTLED' } });
  });

  it('a crash between the function success and DeleteMessageBatch: the message comes back and is answered from the record', async () => {
    const o = await observed('lost delete');
    expectSettledOnce(o);
    expect(messages(o)).toBe(1);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
    expect(o.attemptsAfterCompletion).toBe(0);
  });

  it('a call that hangs until the Lambda time-out: the sandbox is discarded and the redelivery settles once', async () => {
    const o = await observed('hang');
    expectSettledOnce(o);
    expect(o.timeouts).toBeGreaterThanOrEqual(1);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
  });

  it('a lost response after the transaction committed: the retry of the same request is deduplicated by DynamoDB', async () => {
    const o = await observed('lost response');
    expectSettledOnce(o);
    // One attempt, its request applied twice as far as the client knows: DynamoDB answered the retry
    // (same ClientRequestToken) with the original success, so the outcome is a settlement, not a replay.
    expect(o.attempts[0]).toMatchObject({ calls: 2, injected: 1, applied: 2 });
    expect(o.idempotency).toMatchObject({ status: 'COMPLETED', data: { status: 'SETTLED', replay: false } });
  });

  it('ThrottlingException, ProvisionedThroughputExceededException and throttled cancellations are retried within the invocation', async () => {
    const o = await observed('throttling');
    expectSettledOnce(o);
    expect(o.attempts[0]).toMatchObject({ calls: 4, injected: 3, applied: 1 }); // one attempt absorbed all three
    expect(patient.faults.count('throttle', 'settle.tx')).toBe(2);
    expect(patient.faults.count('capacity', 'settle.tx')).toBe(1);
  });

  it('capacity exceeded on the idempotency record: the record fails before any money moves and is redelivered', async () => {
    const o = await observed('capacity on the idempotency record');
    expectSettledOnce(o);
    expect(world.faults.count('capacity', 'idem.put')).toBeGreaterThanOrEqual(1);
    expect(redeliveries(o)).toBeGreaterThanOrEqual(1);
    expect(applied(o)).toHaveLength(1);
  });

  it('TransactionCanceledException [TransactionConflict] is retried with backoff within the invocation', async () => {
    const o = await observed('conflicts');
    expectSettledOnce(o);
    expect(o.attempts[0]).toMatchObject({ calls: 4, injected: 3, applied: 1 });
  });

  it('conflicts beyond the old 6-attempt budget are retried within the invocation while the deadline and time allow', async () => {
    const o = await observed('conflicts beyond the retry budget');
    expectSettledOnce(o);
    // settleRetryPolicy: no attempt count, bounded by the deadline and the invocation's time.
    expect(o.attempts[0]).toMatchObject({ calls: 7, injected: 6, applied: 1 });
    expect(applied(o)).toHaveLength(1);
  });

  it('poison messages (unparseable, unknown payment id) are dead-lettered by settle on their first receive and write nothing', async () => {
    const o = await observed('poison');
    // Permanent failures are final at once (shared/edges/queue/failure-class.ts): no redelivery.
    expect(o.garbled).toEqual([1]);
    expect(o.deliveries).toEqual([1]);
    expect(o.status).toBeUndefined();
    expect([o.debtorBalance, o.creditorBalance]).toEqual([OPENING, 0]);
    expect([o.debtorJournal, o.creditorJournal]).toEqual([[], []]);
  });

  it('a message in the DLQ (payment flagged) is redriven by the runbook command and then settles once', async () => {
    const o = await observed('redrive');
    expect(o.redrive?.before).toMatchObject({
      status: 'ACCEPTED',
      deliveries: [1, 2, 3, 4],
      debtorBalance: OPENING,
    });
    expect(o.redrive?.flagged).toBe(true);
    expect(o.redrive?.moved).toEqual([o.paymentId]);
    expectSettledOnce(o);
    expect(messages(o)).toBe(2); // the original and the redriven copy
  });

  it('the clock past the deadline: rejected AB06, no money moved', async () => {
    const o = await observed('deadline');
    expect(o).toMatchObject({ status: 'REJECTED', rejectionCode: 'AB06' });
    expect([o.debtorBalance, o.creditorBalance]).toEqual([OPENING, 0]);
    expect([o.debtorJournal, o.creditorJournal]).toEqual([[], []]);
    expect(o.settleCalls).toBe(0);
  });
});
