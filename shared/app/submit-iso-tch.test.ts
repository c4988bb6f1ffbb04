import { RAILS_CONFIG } from '../config/rails';
import { fixture, RTP_PACS008 } from '../iso20022/__fixtures__';
import { PACS002_SPEC } from '../iso20022/pacs002';
import { restampPacs008 } from '../iso20022/restamp';
import { messageSchemaIssues } from '../iso20022/schema';
import { intakeWorld, testPartner, submitIso } from '../testing/intake';

/**
 * The TCH RTP sample through the use case: answers in TCH's vocabulary (RCVD when accepted, RJCT
 * with a TCH reason code), AppHdr from our 11-character participant id to the sender's, and
 * every answer valid against TCH's usage schema (AppHdr strictly).
 */
const PARTNER = testPartner('bank-rtp', ['234567891']);

const setup = () => intakeWorld(Date.parse('2026-12-02T15:00:00Z'));

/** AppHdr Fr / To member ids of a TCH answer. */
function appHdrIds(body: string): Array<[string, string]> {
  const re = /<head:(Fr|To)>\s*<head:FIId>\s*<head:FinInstnId>\s*<head:ClrSysMmbId>\s*<head:MmbId>([^<]*)</g;
  return [...body.matchAll(re)].map((m) => [m[1] ?? '', m[2] ?? '']);
}

const withFr = (xml: string, id: string) =>
  xml.replace(
    '<head:Fr></head:Fr>',
    `<head:Fr><head:FIId><head:FinInstnId><head:ClrSysMmbId><head:MmbId>${id}</head:MmbId></head:ClrSysMmbId></head:FinInstnId></head:FIId></head:Fr>`,
  );

const txSts = (body: string) => /<ps:TxSts>([^<]*)</.exec(body)?.[1];
const reason = (body: string) => /<ps:Rsn>\s*<ps:Cd>([^<]*)</.exec(body)?.[1];

describe('ISO intake on the RTP rail (TCH envelope)', () => {
  it('answers an accepted pacs.008 202 RCVD, To = the participant id its MsgId carries (empty AppHdr)', async () => {
    const { clock, deps } = setup();
    const { body } = restampPacs008(fixture(RTP_PACS008), { now: clock.now() });
    const out = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out.httpStatus).toBe(202);
    expect(txSts(out.body)).toBe('RCVD');
    expect(appHdrIds(out.body)).toEqual([
      ['Fr', RAILS_CONFIG.rtp.participantId],
      ['To', '234567891T1'],
    ]);
    expect(out.payment?.iso?.senderParticipantId).toBe('234567891T1');
    expect(messageSchemaIssues(out.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
  });

  it("records the sender's AppHdr Fr participant id and answers To = it", async () => {
    const { clock, deps, store } = setup();
    const { body } = restampPacs008(withFr(fixture(RTP_PACS008), '234567891X9'), { now: clock.now() });
    const out = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out.httpStatus).toBe(202);
    expect(appHdrIds(out.body)).toEqual([
      ['Fr', RAILS_CONFIG.rtp.participantId],
      ['To', '234567891X9'],
    ]);
    const stored = [...store.payments.values()][0];
    expect(stored?.iso?.senderParticipantId).toBe('234567891X9');
    expect(messageSchemaIssues(out.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);

    // The resend of the recorded payment (still in flight) is answered RCVD, to the same id.
    const again = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(again.httpStatus).toBe(202);
    expect(txSts(again.body)).toBe('RCVD');
    expect(appHdrIds(again.body)).toContainEqual(['To', '234567891X9']);
  });

  it('a refusal before anything is stored echoes the AppHdr Fr as To, with a TCH reason code (AB06 -> TM01)', async () => {
    const { deps, store } = setup();
    // The 2023 sample, not restamped: past the rail clock (AB06).
    const body = withFr(fixture(RTP_PACS008), '234567891X9');
    const out = await submitIso(
      { body: Buffer.from(body), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out).toMatchObject({ httpStatus: 400, reasonCode: 'AB06' });
    expect(txSts(out.body)).toBe('RJCT');
    expect(reason(out.body)).toBe('TM01');
    expect(appHdrIds(out.body)).toContainEqual(['To', '234567891X9']);
    expect(store.payments.size).toBe(0);
    expect(messageSchemaIssues(out.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
  });

  it('a schema refusal (FF01) is answered FF02 on RTP, still schema-valid', async () => {
    const { clock, deps } = setup();
    const { body } = restampPacs008(fixture(RTP_PACS008), { now: clock.now() });
    const broken = body.replace(
      '<ct:ChrgBr>SLEV</ct:ChrgBr>',
      '<ct:ChrgBr>SLEV</ct:ChrgBr><ct:Bogus>1</ct:Bogus>',
    );
    const out = await submitIso(
      { body: Buffer.from(broken), contentType: 'application/xml', partner: PARTNER },
      deps,
    );
    expect(out).toMatchObject({ httpStatus: 400, reasonCode: 'FF01' });
    expect(reason(out.body)).toBe('FF02');
    expect(appHdrIds(out.body)).toContainEqual(['To', '234567891T1']);
    expect(messageSchemaIssues(out.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
  });
});
