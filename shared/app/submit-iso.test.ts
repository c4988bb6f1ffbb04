import type { Payment } from '../domain/payment';
import type { FakePaymentStore } from '../testing/fakes';
import { intakeWorld, testPartner, submitIso } from '../testing/intake';
import { parsePacs002Xml, parsePacs008Xml, toPacs008Json, type IsoNode } from '../iso20022';
import { FEDNOW_SCENARIO1, PACS008_SAMPLES, fixture } from '../iso20022/__fixtures__';
import { restampPacs008 } from '../iso20022/restamp';

const PARTNER = testPartner('bank-a', ['011104238']);
// The sample restamped to a fixed business day (Wednesday, 10:00 ET), and the clock just after it.
const SENT_AT = Date.parse('2026-11-18T15:00:00.000Z');
const STAMPED = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: SENT_AT });
const XML = STAMPED.body;
const E2E = STAMPED.refs.endToEndId ?? '';
const MSG_ID = STAMPED.refs.msgId ?? '';

function setup() {
  const { store, queue, clock, deps } = intakeWorld(SENT_AT + 1_000, 20);
  const send = (body: string, contentType = 'application/xml') =>
    submitIso({ body: Buffer.from(body), contentType, partner: PARTNER }, deps);
  return { store, queue, clock, send };
}

function node(value: IsoNode | undefined, ...path: string[]): IsoNode | undefined {
  let current = value;
  for (const key of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = (current as Record<string, IsoNode>)[key];
  }
  return current;
}

function statusOf(xml: string) {
  const tx = node(parsePacs002Xml(xml).FIToFIPmtStsRpt, 'TxInfAndSts');
  return {
    status: node(tx, 'TxSts'),
    reason: node(tx, 'StsRsnInf', 'Rsn', 'Cd'),
    msgId: node(tx, 'OrgnlGrpInf', 'OrgnlMsgId'),
    e2e: node(tx, 'OrgnlEndToEndId'),
    settled: node(tx, 'FctvIntrBkSttlmDt', 'Dt'),
  };
}

function overwrite(store: FakePaymentStore, paymentId: string, change: Partial<Payment>) {
  const p = store.payments.get(paymentId);
  if (!p) throw new Error('no such payment');
  store.payments.set(paymentId, { ...p, ...change, version: p.version + 1 });
}

describe('submitPacs008 (as answered over HTTP): a resent pacs.008 answers the payment current status', () => {
  it('answers a new payment 202 ACTC, and its resend while in flight 202 ACSP (accepted, on the queue)', async () => {
    const { send } = setup();
    const first = await send(XML);
    expect(first).toMatchObject({ httpStatus: 202, duplicate: false });
    expect(statusOf(first.body).status).toBe('ACTC');

    const again = await send(XML);
    expect(again).toMatchObject({ httpStatus: 202, duplicate: true });
    expect(statusOf(again.body)).toMatchObject({ status: 'ACSP', e2e: E2E });
    expect(again.payment?.paymentId).toBe(first.payment?.paymentId);
  });

  it('answers the resend of a settled payment 200 ACSC with its settlement date', async () => {
    const { send, store } = setup();
    const first = await send(XML);
    const id = first.payment?.paymentId ?? '';
    overwrite(store, id, { status: 'SETTLED', settledAt: '2023-06-04T14:55:28.000Z' });

    const again = await send(XML);
    expect(again).toMatchObject({ httpStatus: 200, duplicate: true });
    expect(statusOf(again.body)).toMatchObject({ status: 'ACSC', settled: '2023-06-04' });
  });

  it('answers the resend of a payment rejected since (deadline sweep AB05) 200 RJCT with its reason, enqueueing nothing', async () => {
    const { send, store, queue, clock } = setup();
    const first = await send(XML);
    const id = first.payment?.paymentId ?? '';
    clock.advance(60_000);
    await store.reject(
      id,
      { code: 'AB05', message: 'not settled before its deadline' },
      new Date(clock.now()).toISOString(),
    );
    const queued = queue.messages.length;

    const again = await send(XML);
    expect(again).toMatchObject({ httpStatus: 200, duplicate: true });
    expect(statusOf(again.body)).toMatchObject({ status: 'RJCT', reason: 'AB05' });
    expect(queue.messages).toHaveLength(queued);
  });

  it('completes a payment left RECEIVED (its enqueue failed) on resend and answers it 202 ACSP', async () => {
    const { send, queue, store } = setup();
    queue.failNext.push(Object.assign(new Error('SQS down'), { name: 'ServiceUnavailable' }));
    await expect(send(XML)).rejects.toThrow('SQS down');
    expect([...store.payments.values()].map((p) => p.status)).toEqual(['RECEIVED']);

    const again = await send(XML);
    expect(again).toMatchObject({ httpStatus: 202, duplicate: true });
    expect(statusOf(again.body).status).toBe('ACSP');
    expect(queue.messages).toHaveLength(1);
  });

  it('answers about the message received: a resend under a fresh MsgId is correlated to that MsgId', async () => {
    const { send, store } = setup();
    const first = await send(XML);
    overwrite(store, first.payment?.paymentId ?? '', {
      status: 'SETTLED',
      settledAt: '2023-06-04T14:55:28.000Z',
    });
    const resendMsgId = `${MSG_ID.slice(0, 17)}Resend1`;
    const fresh = XML.replaceAll(MSG_ID, resendMsgId);
    const again = await send(fresh);
    expect(again).toMatchObject({ httpStatus: 200, duplicate: true });
    expect(statusOf(again.body)).toMatchObject({ status: 'ACSC', msgId: resendMsgId });
  });

  it('answers a JSON resend in JSON, with the same status rules', async () => {
    const { send, store } = setup();
    const json = JSON.stringify(toPacs008Json(parsePacs008Xml(XML)));
    const first = await send(json, 'application/json');
    await store.reject(
      first.payment?.paymentId ?? '',
      { code: 'AM04', message: 'insufficient funds' },
      '2023-06-04T14:55:28.000Z',
    );
    const again = await send(json, 'application/json');
    expect(again).toMatchObject({ httpStatus: 200, contentType: expect.stringContaining('json') });
    const tx = JSON.parse(again.body).FIToFIPmtStsRpt.TxInfAndSts;
    expect(tx).toMatchObject({ TxSts: 'RJCT', StsRsnInf: { Rsn: { Cd: 'AM04' } } });
  });

  it('still refuses the same references with other content as 409 RJCT DUPL', async () => {
    const { send } = setup();
    await send(XML);
    const changed = await send(XML.replace('>51.74<', '>51.75<'));
    expect(changed).toMatchObject({ httpStatus: 409, reasonCode: 'DUPL' });
    expect(statusOf(changed.body)).toMatchObject({ status: 'RJCT', reason: 'DUPL' });
  });
});

describe('submitPacs008 (as answered over HTTP): refused by admission control', () => {
  it('answers 503 + Retry-After with a pacs.002 RJCT NARR naming OVERLOADED, writing nothing', async () => {
    const { store, queue, deps } = intakeWorld(SENT_AT + 1_000, 20);
    const admission = {
      check: async () => ({
        admit: false as const,
        reason: 'overloaded' as const,
        retryAfterSeconds: 3,
        estimatedWaitSeconds: 10,
      }),
    };
    const out = await submitIso(
      { body: Buffer.from(XML), contentType: 'application/xml', partner: PARTNER },
      { ...deps, admission },
    );
    expect(out).toMatchObject({ httpStatus: 503, reasonCode: 'NARR', headers: { 'retry-after': '3' } });
    expect(out.shed?.code).toBe('OVERLOADED');
    expect(statusOf(out.body)).toMatchObject({ status: 'RJCT', reason: 'NARR', e2e: E2E, msgId: MSG_ID });
    expect(out.body).toContain('OVERLOADED: ');
    expect(store.payments.size).toBe(0);
    expect(queue.messages).toHaveLength(0);
  });
});

describe('submitPacs008 (as answered over HTTP): ownership in every envelope', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))(
    '%s sent by a partner that is not its debtor agent: 403 RJCT AGNT, nothing written',
    async (_file, sample) => {
      const { store, queue, deps } = intakeWorld(SENT_AT + 1_000, 20);
      const stamped = restampPacs008(fixture(sample.file), { now: SENT_AT }).body;
      const out = await submitIso(
        {
          body: Buffer.from(stamped),
          contentType: 'application/xml',
          partner: testPartner('intruder', ['026009593', 'DEMOUS33XXX']),
        },
        deps,
      );
      expect(out).toMatchObject({ httpStatus: 403, reasonCode: 'AGNT' });
      expect(out.body).toContain('RJCT');
      expect(store.payments.size).toBe(0);
      expect(queue.messages).toHaveLength(0);
    },
  );
});
