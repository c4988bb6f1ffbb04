import { FEDNOW_SCENARIO1, fixture, restampedFixture } from '../iso20022/__fixtures__';
import { restampPacs008 } from '../iso20022/restamp';
import { intakeWorld, testPartner, submitIso } from '../testing/intake';

const PARTNER = testPartner('bank-a', ['011104238']);

const setup = () => intakeWorld(Date.parse('2026-12-02T15:00:00Z'));

const addtlInf = (body: string) => [...body.matchAll(/<AddtlInf>([^<]*)</g)].map((m) => m[1] ?? '').join('');

describe('ISO intake: the rail rules, through the use case', () => {
  it('refuses the 2023 sample (AB06) and writes nothing', async () => {
    const { store, queue, deps } = setup();
    const out = await submitIso(
      { body: Buffer.from(fixture(FEDNOW_SCENARIO1)), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out).toMatchObject({ httpStatus: 400, reasonCode: 'AB06' });
    expect(addtlInf(out.body)).toContain('GrpHdr.CreDtTm');
    expect(store.payments.size).toBe(0);
    expect(store.keys.size).toBe(0);
    expect(queue.messages).toHaveLength(0);
  });

  it('accepts the restamped sample, with the deadline of the earlier clock (CreDtTm + 20 s)', async () => {
    const { clock, deps } = setup();
    const created = clock.now() - 10_000; // the message is 10 s old on arrival
    const { body } = restampedFixture(FEDNOW_SCENARIO1, created);
    const out = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out.httpStatus).toBe(202);
    // acceptance + 15 s SLA would be 15:00:15; the FedNow clock ends at 15:00:10.
    expect(out.payment?.deadline).toBe('2026-12-02T15:00:10.000Z');
  });

  it('a CreDtTm far in the future is DT01', async () => {
    const { clock, deps, store } = setup();
    const { body } = restampedFixture(FEDNOW_SCENARIO1, clock.now() + 60_000);
    const out = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out).toMatchObject({ httpStatus: 400, reasonCode: 'DT01' });
    expect(store.payments.size).toBe(0);
  });

  it('DUPL names the reference that collided, in full AddtlInf lines', async () => {
    const { clock, deps } = setup();
    const first = restampedFixture(FEDNOW_SCENARIO1, clock.now());
    await submitIso(
      { body: Buffer.from(first.body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    // Same MsgId, other payment (fresh EndToEndId and UETR).
    const other = restampPacs008(first.body, { now: clock.now() }).body.replace(
      /<MsgId>[^<]*</,
      `<MsgId>${first.refs.msgId ?? ''}<`,
    );
    const out = await submitIso(
      { body: Buffer.from(other), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out).toMatchObject({ httpStatus: 409, reasonCode: 'DUPL' });
    expect(addtlInf(out.body)).toBe(
      `MsgId '${first.refs.msgId ?? ''}' was already used for a different payment by this partner`,
    );
  });
});
