import { MalformedRequestError, ValidationError } from '../domain/errors';
import { fixture, FEDNOW_SCENARIO1, HEAD001_ONLY, PACS008_SAMPLES, RTP_PACS008 } from './__fixtures__';
import { parsePacs008Json, parsePacs008Xml, toPacs008Json } from './pacs008';

const fednowXml = fixture(FEDNOW_SCENARIO1);
const rtpXml = fixture(RTP_PACS008);

/** Rewrites every element of a default-namespace document with a prefix bound to the same URI. */
function prefixAll(xml: string, prefix: string): string {
  return xml.replace(/<(\/?)([A-Za-z])/g, `<$1${prefix}:$2`).replace(/ xmlns="/, ` xmlns:${prefix}="`);
}

function issuesOf(fn: () => unknown): ValidationError['issues'] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePacs008Xml', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))('parses %s', (_file, sample) => {
    const parsed = parsePacs008Xml(fixture(sample.file));
    expect(parsed.transport).toEqual({ format: 'xml', envelope: sample.envelope });
    expect(parsed.transactionCount).toBe(1);
    const tx = parsed.document.FIToFICstmrCdtTrf.CdtTrfTxInf;
    expect(tx?.PmtId?.EndToEndId).toBe(sample.expected.endToEndId);
    expect(tx?.IntrBkSttlmAmt?.Ccy).toBe('USD');
    expect(typeof tx?.IntrBkSttlmAmt?.value).toBe('string');
  });

  it('reads the FedNow sample fields as text, with the ISO names', () => {
    const { GrpHdr, CdtTrfTxInf } = parsePacs008Xml(fednowXml).document.FIToFICstmrCdtTrf;
    expect(GrpHdr).toEqual({
      MsgId: '20230604011104238Sc01Step1MsgId',
      CreDtTm: '2023-06-04T10:55:26-04:00',
      NbOfTxs: '1',
      SttlmInf: { SttlmMtd: 'CLRG', ClrSys: { Cd: 'FDN' } },
    });
    expect(CdtTrfTxInf?.IntrBkSttlmAmt).toEqual({ Ccy: 'USD', value: '51.74' });
    expect(CdtTrfTxInf?.DbtrAgt?.FinInstnId).toEqual({
      ClrSysMmbId: { ClrSysId: { Cd: 'USABA' }, MmbId: '011104238' },
      Nm: 'BankA',
    });
    expect(CdtTrfTxInf?.DbtrAcct).toEqual({ Id: { Othr: { Id: '0031234567' } } });
    expect(CdtTrfTxInf?.PmtTpInf).toEqual({ LclInstrm: { Prtry: 'FDNA' }, CtgyPurp: { Prtry: 'CONS' } });
    expect(CdtTrfTxInf?.RmtInf?.Strd).toHaveLength(1);
  });

  it('reads the head.001 AppHdr of the FedNow envelope', () => {
    const parsed = parsePacs008Xml(fixture('fednow/derived/FedNowIncoming_head.001_Scenario1_pacs.008.xml'));
    expect(parsed.appHdr).toEqual({
      fromMemberId: '021150706',
      toMemberId: '011104238',
      bizMsgIdr: 'FedNowServiceApplicationReference',
      msgDefIdr: 'pacs.008.001.08',
      creDt: '2023-07-30T19:02:17-04:00',
      cpyDplct: 'DUPL',
    });
    expect(parsed.document).toEqual(parsePacs008Xml(fednowXml).document);
  });

  it('refuses the real head.001 sample: an AppHdr alone is not a credit transfer', () => {
    expect(() => parsePacs008Xml(fixture(HEAD001_ONLY))).toThrow(MalformedRequestError);
    expect(() => parsePacs008Xml(fixture(HEAD001_ONLY))).toThrow(/AppHdr alone carries no Document/);
  });

  it('parses a prefixed-namespace document exactly like the unprefixed one', () => {
    const prefixed = prefixAll(fednowXml, 'ns2');
    expect(prefixed).toContain('<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"');
    expect(parsePacs008Xml(prefixed).document).toEqual(parsePacs008Xml(fednowXml).document);
  });

  it('parses the TCH message with a default namespace instead of the ct: prefix the same', () => {
    const unprefixed = rtpXml
      .replace(/<(\/?)ct:/g, '<$1')
      .replace(
        '<FIToFICstmrCdtTrf>',
        '<FIToFICstmrCdtTrf xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">',
      );
    expect(parsePacs008Xml(unprefixed).document).toEqual(parsePacs008Xml(rtpXml).document);
  });

  it('refuses a wrong namespace URI', () => {
    const v09 = fednowXml.replace('pacs.008.001.08"', 'pacs.008.001.09"');
    expect(() => parsePacs008Xml(v09)).toThrow(MalformedRequestError);
    expect(() => parsePacs008Xml(v09)).toThrow(
      /Document namespace is 'urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09'/,
    );
    const prefixedWrong = prefixAll(fednowXml, 'p').replace(
      'xmlns:p="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"',
      'xmlns:p="urn:other"',
    );
    expect(() => parsePacs008Xml(prefixedWrong)).toThrow(MalformedRequestError);
    const tchWrong = rtpXml.replace(
      'xmlns:ct="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"',
      'xmlns:ct="urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08"',
    );
    expect(() => parsePacs008Xml(tchWrong)).toThrow(/FIToFICstmrCdtTrf namespace/);
    const noNamespace = fednowXml.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"', '');
    expect(() => parsePacs008Xml(noNamespace)).toThrow(MalformedRequestError);
  });

  it('refuses anything that is not a pacs.008 with a clear MalformedRequestError', () => {
    expect(() =>
      parsePacs008Xml(fixture('fednow/CustomerCreditTransfer_Scenario1_Step3_pacs.002.xml')),
    ).toThrow(/not a pacs.008/);
    expect(() => parsePacs008Xml(fixture('rtp/pacs002.ACTC.xml'))).toThrow(
      /TCH Message has no CreditTransfer/,
    );
    expect(() => parsePacs008Xml('<Invoice xmlns="urn:x"/>')).toThrow(
      /neither a Document nor a known envelope/,
    );
    expect(() =>
      parsePacs008Xml('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"/>'),
    ).toThrow(/has no FIToFICstmrCdtTrf/);
    const wrongHeader = rtpXml.replace(
      '<head:MsgDefIdr></head:MsgDefIdr>',
      '<head:MsgDefIdr>camt.056.001.08</head:MsgDefIdr>',
    );
    expect(() => parsePacs008Xml(wrongHeader)).toThrow(/MsgDefIdr announces 'camt.056.001.08'/);
  });

  it('refuses elements from a foreign namespace inside the message', () => {
    const foreign = fednowXml.replace(
      '<ChrgBr>SLEV</ChrgBr>',
      '<x:ChrgBr xmlns:x="urn:evil">SLEV</x:ChrgBr>',
    );
    // The schema refuses it first (FF01 at the element's place); the model would too.
    expect(issuesOf(() => parsePacs008Xml(foreign))).toEqual([
      expect.objectContaining({
        field: 'CdtTrfTxInf.ChrgBr',
        code: 'FF01',
        message: expect.stringMatching(/not expected/),
      }),
    ]);
  });

  it('counts repeated CdtTrfTxInf and keeps the first', () => {
    const tx = /<CdtTrfTxInf>[\s\S]*<\/CdtTrfTxInf>/.exec(fednowXml)?.[0] ?? '';
    const twice = fednowXml.replace(tx, tx + tx.replace('Scenario01EtoEId001', 'Second'));
    const parsed = parsePacs008Xml(twice);
    expect(parsed.transactionCount).toBe(2);
    expect(parsed.document.FIToFICstmrCdtTrf.CdtTrfTxInf?.PmtId?.EndToEndId).toBe('Scenario01EtoEId001');
  });

  it('reports a pacs.008 with a wrongly shaped element as ValidationError FF01 with the path', () => {
    const nested = fednowXml.replace(
      '<MsgId>20230604011104238Sc01Step1MsgId</MsgId>',
      '<MsgId><X>1</X></MsgId>',
    );
    const issues = issuesOf(() => parsePacs008Xml(nested));
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue).toMatchObject({ field: 'GrpHdr.MsgId', code: 'FF01' });
  });
});

describe('parsePacs008Json', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))(
    'round-trips the JSON form of %s',
    (_file, sample) => {
      const fromXml = parsePacs008Xml(fixture(sample.file));
      const json: unknown = JSON.parse(JSON.stringify(toPacs008Json(fromXml)));
      const fromJson = parsePacs008Json(json);
      expect(fromJson.document).toEqual(fromXml.document);
      expect(fromJson.transport).toEqual({ format: 'json' });
    },
  );

  it('accepts the documented example with single values or arrays for repeatable elements', () => {
    const parsed = parsePacs008Json({
      FIToFICstmrCdtTrf: {
        GrpHdr: { MsgId: 'M1', NbOfTxs: '1' },
        CdtTrfTxInf: [
          {
            IntrBkSttlmAmt: { Ccy: 'USD', value: '100.00' },
            RmtInf: { Ustrd: 'invoice 42' },
            Dbtr: { PstlAdr: { AdrLine: ['a', 'b'] } },
          },
        ],
      },
    });
    const tx = parsed.document.FIToFICstmrCdtTrf.CdtTrfTxInf;
    expect(tx?.IntrBkSttlmAmt).toEqual({ Ccy: 'USD', value: '100.00' });
    expect(tx?.RmtInf?.Ustrd).toEqual(['invoice 42']);
    expect(tx?.Dbtr?.PstlAdr?.AdrLine).toEqual(['a', 'b']);
    expect(parsed.transactionCount).toBe(1);
  });

  it('refuses bodies that are not a pacs.008 JSON message', () => {
    for (const body of [null, 42, 'x', [], {}, { FIToFICstmrCdtTrf: 'x' }, { Document: {} }]) {
      expect(() => parsePacs008Json(body)).toThrow(MalformedRequestError);
    }
  });

  it('refuses numbers where ISO has text (amounts must stay strings)', () => {
    const issues = issuesOf(() =>
      parsePacs008Json({
        FIToFICstmrCdtTrf: {
          GrpHdr: { NbOfTxs: 1 },
          CdtTrfTxInf: { IntrBkSttlmAmt: { Ccy: 'USD', value: 100.1 } },
        },
      }),
    );
    expect(issues.map((i) => [i.field, i.code])).toEqual([
      ['GrpHdr.NbOfTxs', 'FF01'],
      ['CdtTrfTxInf.IntrBkSttlmAmt', 'FF01'],
    ]);
  });

  it('refuses prototype-polluting keys and hostile nesting', () => {
    expect(() => parsePacs008Json(JSON.parse('{"FIToFICstmrCdtTrf":{"__proto__":{"x":"1"}}}'))).toThrow(
      /reserved JSON key/,
    );
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i += 1) deep = { a: deep };
    expect(() => parsePacs008Json({ FIToFICstmrCdtTrf: deep })).toThrow(/nested deeper/);
  });
});
