import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, MalformedRequestError, ValidationError, type FieldIssue } from '../../domain/errors';
import { fixture, FEDNOW_SCENARIO1, PACS008_SAMPLES, RTP_PACS008 } from '../__fixtures__';
import { parsePaymentMessage, validatePacs008 } from '../index';
import { parsePacs008Xml } from '../pacs008';
import { parsePacs028Xml } from '../pacs028';
import { cleanMessage, SchemaValidationError } from '.';

const fednowXml = fixture(FEDNOW_SCENARIO1);
const rtpXml = fixture(RTP_PACS008);
const FIXTURES = join(__dirname, '..', '__fixtures__');

function schemaIssuesOf(fn: () => unknown): readonly FieldIssue[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof SchemaValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a SchemaValidationError');
}

function replaceOnce(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`fixture has no ${String(from)}`);
  return out;
}

describe('schema validation: what must pass', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file] as const))('%s validates against its schema', (file) => {
    expect(() => parsePacs008Xml(fixture(file))).not.toThrow();
  });

  it('every FedNow pacs.008 and pacs.028 fixture validates (ISO base schemas)', () => {
    const files = readdirSync(join(FIXTURES, 'fednow')).filter(
      (f) => /pacs\.0(08|28)/.test(f) && !f.includes('head.001'),
    );
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const xml = readFileSync(join(FIXTURES, 'fednow', file), 'utf8');
      if (file.includes('pacs.008')) expect(() => parsePacs008Xml(xml)).not.toThrow();
      else expect(() => parsePacs028Xml(xml)).not.toThrow();
    }
  });

  it("the RTP fixture validates against TCH's usage schema: its empty AppHdr placeholders are tolerated", () => {
    expect(rtpXml).toContain('<head:BizMsgIdr></head:BizMsgIdr>');
    expect(() => parsePacs008Xml(rtpXml)).not.toThrow();
  });
});

describe('schema validation: targeted breaks are FF01 with the path, before any rule', () => {
  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    [
      'element out of order',
      replaceOnce(
        fednowXml,
        /(<IntrBkSttlmDt>[^<]*<\/IntrBkSttlmDt>)(\s*)(<ChrgBr>[^<]*<\/ChrgBr>)/,
        '$3$2$1',
      ),
      'CdtTrfTxInf.IntrBkSttlmDt',
      /not expected/,
    ],
    [
      'unknown element',
      replaceOnce(fednowXml, '<NbOfTxs>1</NbOfTxs>', '<NbOfTxs>1</NbOfTxs><Colour>red</Colour>'),
      'GrpHdr.Colour',
      /not expected/,
    ],
    [
      'over-long Max35Text',
      replaceOnce(fednowXml, /<EndToEndId>[^<]*<\/EndToEndId>/, `<EndToEndId>${'E'.repeat(36)}</EndToEndId>`),
      'CdtTrfTxInf.PmtId.EndToEndId',
      /length of '36'.*maximum length of '35'/,
    ],
    [
      'bad enumeration',
      replaceOnce(fednowXml, '<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>FREE</ChrgBr>'),
      'CdtTrfTxInf.ChrgBr',
      /'FREE' is not an element of the set/,
    ],
    [
      'bad attribute (currency code shape)',
      replaceOnce(fednowXml, 'Ccy="USD"', 'Ccy="usd"'),
      'CdtTrfTxInf.IntrBkSttlmAmt',
      /attribute Ccy: .*pattern/,
    ],
  ];

  it.each(cases)('%s', (_what, xml, field, message) => {
    const issues = schemaIssuesOf(() => parsePaymentMessage({ body: xml, contentType: 'application/xml' }));
    expect(issues).toContainEqual({ field, code: 'FF01', message: expect.stringMatching(message) });
    for (const issue of issues) {
      expect(issue.message).toMatch(/^schema: /);
      expect(issue.message).not.toMatch(/\{urn:|\n|\s at /);
      expect(issue.message.length).toBeLessThanOrEqual(210);
    }
  });

  it('is a ValidationError FF01 carrying what could still be read (for the RJCT answer)', () => {
    const xml = replaceOnce(fednowXml, '<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>FREE</ChrgBr>');
    let caught: unknown;
    try {
      parsePaymentMessage({ body: xml, contentType: 'application/xml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).code).toBe('FF01');
    const parsed = (caught as SchemaValidationError<ReturnType<typeof parsePaymentMessage>>).parsed;
    expect(parsed?.rail).toBe('fednow');
    expect(parsed?.document.FIToFICstmrCdtTrf.GrpHdr?.MsgId).toBe('20230604011104238Sc01Step1MsgId');
  });

  it('runs before the rules: a message failing both gets the schema issue only', () => {
    // ChrgBr FREE is also a rule failure (ChrgBr != SLEV); the partner is unknown to the rules.
    const xml = replaceOnce(fednowXml, '<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>FREE</ChrgBr>');
    const run = () =>
      validatePacs008(parsePaymentMessage({ body: xml, contentType: 'application/xml' }), {
        partner: { partnerId: 'nobody', agentIds: [] },
      });
    expect(run).toThrow(SchemaValidationError);
    expect(schemaIssuesOf(run).every((i) => i.message.startsWith('schema: '))).toBe(true);
  });

  it('checks the FedNow envelope AppHdr against head.001.001.02', () => {
    const enveloped = fixture('fednow/derived/FedNowIncoming_head.001_Scenario1_pacs.008.xml');
    expect(() => parsePacs008Xml(enveloped)).not.toThrow();
    const bad = replaceOnce(
      enveloped,
      /<BizMsgIdr>[^<]*<\/BizMsgIdr>/,
      `<BizMsgIdr>${'B'.repeat(36)}</BizMsgIdr>`,
    );
    expect(schemaIssuesOf(() => parsePacs008Xml(bad))).toContainEqual(
      expect.objectContaining({ field: 'AppHdr.BizMsgIdr', code: 'FF01' }),
    );
  });

  it('TCH: the message part is strict, the AppHdr is strict on every element that has content', () => {
    const longE2e = replaceOnce(
      rtpXml,
      '<ct:EndToEndId>EOTS</ct:EndToEndId>',
      `<ct:EndToEndId>${'E'.repeat(36)}</ct:EndToEndId>`,
    );
    expect(schemaIssuesOf(() => parsePacs008Xml(longE2e))).toContainEqual(
      expect.objectContaining({ field: 'CdtTrfTxInf.PmtId.EndToEndId', code: 'FF01' }),
    );
    const badHeader = replaceOnce(
      rtpXml,
      '<head:BizMsgIdr></head:BizMsgIdr>',
      '<head:BizMsgIdr>not-a-tch-id</head:BizMsgIdr>',
    );
    expect(schemaIssuesOf(() => parsePacs008Xml(badHeader))).toContainEqual(
      expect.objectContaining({ field: 'AppHdr.BizMsgIdr', message: expect.stringMatching(/pattern/) }),
    );
    const unknownInHeader = replaceOnce(rtpXml, '<head:CreDt>', '<head:Extra>1</head:Extra><head:CreDt>');
    expect(schemaIssuesOf(() => parsePacs008Xml(unknownInHeader))).toContainEqual(
      expect.objectContaining({ field: 'AppHdr.Extra', code: 'FF01' }),
    );
    const usage = replaceOnce(rtpXml, '<ct:Cd>TCH</ct:Cd>', '<ct:Cd>FDN</ct:Cd>');
    expect(schemaIssuesOf(() => parsePacs008Xml(usage))).toContainEqual(
      expect.objectContaining({ field: 'GrpHdr.SttlmInf.ClrSys.Cd', code: 'FF01' }),
    );
  });

  it('pacs.028: the samples pass, a break is FF01 with its path', () => {
    const scenario5 = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml');
    const bad = replaceOnce(scenario5, /<MsgId>[^<]*<\/MsgId>/, `<MsgId>${'M'.repeat(36)}</MsgId>`);
    expect(schemaIssuesOf(() => parsePacs028Xml(bad))).toContainEqual(
      expect.objectContaining({ field: 'GrpHdr.MsgId', code: 'FF01' }),
    );
  });

  it('what fast-xml-parser reads but libxml2 does not is malformed, never a crash', () => {
    const undeclared = replaceOnce(fednowXml, '<ChrgBr>SLEV</ChrgBr>', '<p:ChrgBr>SLEV</p:ChrgBr>');
    let caught: unknown;
    try {
      parsePacs008Xml(undeclared);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    if (caught instanceof MalformedRequestError) expect(caught.message).toMatch(/^malformed XML: /);
  });
});

describe('cleanMessage', () => {
  it('drops the element name and namespace URIs, keeps quantifiers, caps the length', () => {
    expect(
      cleanMessage(
        "Element '{urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08}IBAN': [facet 'pattern'] The value 'x' is not accepted by the pattern '[A-Z]{2,2}[0-9]{2,2}'.\n",
      ),
    ).toBe("[facet 'pattern'] The value 'x' is not accepted by the pattern '[A-Z]{2,2}[0-9]{2,2}'.");
    expect(cleanMessage("Element '{urn:x}A': This element is not expected. Expected is ( {urn:x}B ).")).toBe(
      'This element is not expected. Expected is ( B ).',
    );
    expect(cleanMessage(`Element 'A': ${'z'.repeat(500)}`).length).toBe(200);
  });
});
