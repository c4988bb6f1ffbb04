import { fixture, FEDNOW_SCENARIO1, PACS008_SAMPLES, type Pacs008Sample } from './__fixtures__';
import { canonicalJson, ledgerAccountId, toPaymentInstruction } from './map';
import { parsePacs008Json, parsePacs008Xml, toPacs008Json, type ParsedPacs008 } from './pacs008';
import { validatePacs008 } from './validate';

const fednowXml = fixture(FEDNOW_SCENARIO1);
const BANK_A = { partnerId: 'bank-a', agentIds: ['011104238'] };

function instruction(parsed: ParsedPacs008, sample?: Pacs008Sample) {
  const partner = sample?.partner ?? BANK_A;
  const valid = validatePacs008(parsed, { partner, routingCheckDigit: sample?.routingCheckDigit ?? true });
  return toPaymentInstruction(valid, partner.partnerId);
}

const xmlInstruction = (xml: string) => instruction(parsePacs008Xml(xml));

describe('toPaymentInstruction', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))(
    'maps %s, and its JSON form maps identically',
    (_file, sample) => {
      const fromXml = parsePacs008Xml(fixture(sample.file));
      const mapped = instruction(fromXml, sample);
      expect(mapped).toMatchObject({
        partnerId: sample.partner.partnerId,
        source: 'pacs.008',
        debtorAccount: sample.expected.debtor,
        creditorAccount: sample.expected.creditor,
        amount: { amountMinor: sample.expected.amountMinor, currency: 'USD' },
        references: expect.objectContaining({ endToEndId: sample.expected.endToEndId }),
      });
      expect(mapped.contentHash).toMatch(/^[0-9a-f]{64}$/);
      const json: unknown = JSON.parse(JSON.stringify(toPacs008Json(fromXml)));
      // The JSON form has no AppHdr, so no BizMsgIdr (a FedNow envelope's extra uniqueness key).
      const { bizMsgIdr: _envelopeOnly, ...xmlReferences } = mapped.references;
      expect(instruction(parsePacs008Json(json), sample)).toEqual({ ...mapped, references: xmlReferences });
    },
  );

  it('maps the FedNow sample exactly', () => {
    expect(xmlInstruction(fednowXml)).toEqual({
      partnerId: 'bank-a',
      references: {
        msgId: '20230604011104238Sc01Step1MsgId',
        endToEndId: 'Scenario01EtoEId001',
        instrId: 'Scenario01InstrId001',
        uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
      },
      debtorAccount: '011104238:0031234567',
      creditorAccount: '021040078:56478374687',
      amount: { amountMinor: 5174, currency: 'USD' },
      settlementDate: '2023-06-04',
      source: 'pacs.008',
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      // CreDtTm 2023-06-04T10:55:26-04:00 + the FedNow 20-second clock.
      railDeadline: '2023-06-04T14:55:46.000Z',
    });
  });

  it('ledger ids: IBAN upper-cased, mobile wallets as tel:+E164', () => {
    // A lower-case IBAN and an account with a Prxy but no Id fail the XSD in XML (ISO IBAN2007
    // pattern; CashAccount38/Id is mandatory): only the JSON form can carry them to the rules.
    const withCreditorAccount = (CdtrAcct: unknown) => {
      const json = toPacs008Json(parsePacs008Xml(fednowXml));
      const tx = { ...json.FIToFICstmrCdtTrf.CdtTrfTxInf, CdtrAcct };
      return instruction(
        parsePacs008Json({ FIToFICstmrCdtTrf: { ...json.FIToFICstmrCdtTrf, CdtTrfTxInf: tx } }),
      );
    };
    const ibanXml = fednowXml.replace(
      /<CdtrAcct>[\s\S]*?<\/CdtrAcct>/,
      '<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>',
    );
    expect(xmlInstruction(ibanXml).creditorAccount).toBe('021040078:DE89370400440532013000');
    expect(withCreditorAccount({ Id: { IBAN: 'de89370400440532013000' } }).creditorAccount).toBe(
      '021040078:DE89370400440532013000',
    );
    expect(withCreditorAccount({ Prxy: { Tp: { Cd: 'MBNO' }, Id: '+1-555-555-0100' } }).creditorAccount).toBe(
      '021040078:tel:+15555550100',
    );
    const plusId = fednowXml.replace('<Id>56478374687</Id>', '<Id>+15555550100</Id>');
    expect(xmlInstruction(plusId).creditorAccount).toBe('021040078:tel:+15555550100');
    const both = fednowXml.replace(
      '</CdtrAcct>',
      '<Prxy><Tp><Cd>MBNO</Cd></Tp><Id>+15555550100</Id></Prxy></CdtrAcct>',
    );
    expect(xmlInstruction(both).creditorAccount).toBe('021040078:56478374687');
    expect(ledgerAccountId('011104238', '0031234567')).toBe('011104238:0031234567');
  });
});

describe('contentHash', () => {
  const base = xmlInstruction(fednowXml).contentHash;

  it('is the same for the same message re-sent, in any envelope or form, even under a new MsgId', () => {
    expect(xmlInstruction(fednowXml).contentHash).toBe(base);
    expect(
      xmlInstruction(fixture('fednow/derived/FedNowIncoming_head.001_Scenario1_pacs.008.xml')).contentHash,
    ).toBe(base);
    const resent = fednowXml
      .replace('20230604011104238Sc01Step1MsgId', '20230604011104238Sc01Retry1')
      .replace('2023-06-04T10:55:26-04:00', '2023-06-04T10:59:00-04:00')
      .replace('<Nm>Individual A</Nm>', '<Nm>INDIVIDUAL A</Nm>');
    expect(xmlInstruction(resent).contentHash).toBe(base);
  });

  it.each([
    ['amount', (x: string) => x.replace('>51.74<', '>51.75<')],
    ['creditor account', (x: string) => x.replace('<Id>56478374687</Id>', '<Id>56478374688</Id>')],
    ['debtor account', (x: string) => x.replace('<Id>0031234567</Id>', '<Id>0031234568</Id>')],
    ['creditor agent', (x: string) => x.replaceAll('021040078', '011000015')],
    ['EndToEndId', (x: string) => x.replace('Scenario01EtoEId001', 'Scenario01EtoEId002')],
    [
      'UETR',
      (x: string) =>
        x.replace('8a562c67-ca16-48ba-b074-65581be6f011', '8a562c67-ca16-48ba-b074-65581be6f012'),
    ],
    ['settlement date', (x: string) => x.replace('<IntrBkSttlmDt>2023-06-04', '<IntrBkSttlmDt>2023-06-05')],
  ])('changes when the %s changes', (_what, change) => {
    const changed = change(fednowXml);
    expect(changed).not.toBe(fednowXml);
    expect(xmlInstruction(changed).contentHash).not.toBe(base);
  });

  it('uses a canonical JSON with sorted keys and no undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: undefined }], e: null })).toBe(
      '{"a":[{"d":"x"}],"b":1,"e":null}',
    );
  });
});
