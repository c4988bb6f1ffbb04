import fc from 'fast-check';
import { ValidationError, type FieldIssue } from '../domain/errors';
import { FEDNOW_SCENARIO1, PACS008_SAMPLES, RTP_PACS008, fixture, restampedFixture } from './__fixtures__';
import { firstIllegalXmlChar, isXmlCodePoint } from './charset';
import { toPaymentInstruction } from './map';
import { parsePacs008Json, parsePacs008Xml, toPacs008Json } from './pacs008';
import { restampPacs008 } from './restamp';
import { withoutSchema } from './__fixtures__/without-schema';
import { federalReserveHolidays, instantOf, railBusinessDay } from './rail-clock';
import { validatePacs008, type PartnerContext, type ValidateOptions } from './validate';

const BANK_A: PartnerContext = { partnerId: 'bank-a', agentIds: ['011104238'] };
// Wednesday 2026-12-02 10:00 EST.
const NOW = Date.parse('2026-12-02T15:00:00Z');

function issuesFor(xml: string, options: Partial<ValidateOptions> = {}): readonly FieldIssue[] {
  try {
    // The rules alone (they guard the JSON form too): the XSD, which runs first for XML, is
    // left out here; schema.test.ts covers what it refuses.
    validatePacs008(withoutSchema(xml), { partner: BANK_A, now: NOW, ...options });
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  return [];
}
const assertIssue = (issues: readonly FieldIssue[], field: string, code: string) =>
  expect(issues).toContainEqual(expect.objectContaining({ field, code }));

const fresh = (now = NOW) => restampedFixture(FEDNOW_SCENARIO1, now).body;
const setText = (xml: string, name: string, value: string) => {
  const re = new RegExp(`<${name}>[^<]*</${name}>`);
  if (!re.test(xml)) throw new Error(`no ${name}`);
  return xml.replace(re, `<${name}>${value}</${name}>`);
};

describe('restamped real samples pass the clock rules', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))('%s', (_file, sample) => {
    const { body, refs } = restampedFixture(sample.file, NOW);
    const valid = validatePacs008(parsePacs008Xml(body), {
      partner: sample.partner,
      routingCheckDigit: sample.routingCheckDigit,
      now: NOW + 3000,
    });
    expect(valid.settlementDate).toBe('2026-12-02');
    expect(valid.references.endToEndId).toBe(refs.endToEndId);
    expect(valid.references.endToEndId).not.toBe(sample.expected.endToEndId);
    expect(valid.railDeadline).toBe(new Date(NOW + 20_000).toISOString());
    expect(toPaymentInstruction(valid, 'p').railDeadline).toBe(valid.railDeadline);
  });

  it('the unstamped 2023 samples are refused: timed out (AB06) and a stale business day (DT01)', () => {
    const issues = issuesFor(fixture(FEDNOW_SCENARIO1));
    assertIssue(issues, 'GrpHdr.CreDtTm', 'AB06');
    assertIssue(issues, 'CdtTrfTxInf.IntrBkSttlmDt', 'DT01');
    const rtp = validateOrIssues(fixture(RTP_PACS008), {
      partner: { partnerId: 't', agentIds: ['234567891'] },
    });
    assertIssue(rtp, 'GrpHdr.CreDtTm', 'AB06');
    expect(rtp.some((i) => i.code === 'DT01' && i.field.endsWith('IntrBkSttlmDt'))).toBe(true);
  });

  it('restamps the JSON form too', () => {
    const json = JSON.stringify(toPacs008Json(parsePacs008Xml(fixture(FEDNOW_SCENARIO1))));
    const stamped = restampPacs008(json, { now: NOW });
    expect(stamped.body).not.toContain('2023-06-04');
    const valid = validatePacs008(parsePacs008Json(JSON.parse(stamped.body) as unknown), {
      partner: BANK_A,
      now: NOW,
    });
    expect(valid.references.endToEndId).toBe(stamped.refs.endToEndId);
  });
});

function validateOrIssues(xml: string, options: Partial<ValidateOptions>): readonly FieldIssue[] {
  return issuesFor(xml, { routingCheckDigit: false, ...options });
}

describe('the 20-second clock from CreDtTm (FedNow)', () => {
  it('accepts up to 20 s after CreDtTm, refuses AB06 after', () => {
    const xml = fresh();
    expect(issuesFor(xml, { now: NOW + 20_000 })).toEqual([]);
    assertIssue(issuesFor(xml, { now: NOW + 20_001 }), 'GrpHdr.CreDtTm', 'AB06');
  });

  it('allows a small clock skew for a CreDtTm in the future; beyond it DT01', () => {
    const xml = fresh(NOW + 5_000);
    expect(issuesFor(xml)).toEqual([]);
    assertIssue(issuesFor(fresh(NOW + 6_000)), 'GrpHdr.CreDtTm', 'DT01');
    expect(issuesFor(fresh(NOW + 6_000), { clockSkewSeconds: 10 })).toEqual([]);
  });

  it('reads an offset-less CreDtTm (TCH style) as US Eastern time', () => {
    expect(instantOf('2026-12-02T10:00:00')).toBe(NOW);
    expect(instantOf('2026-07-01T10:00:00')).toBe(Date.parse('2026-07-01T14:00:00Z'));
    expect(instantOf('2026-12-02T10:00:00-05:00')).toBe(NOW);
  });

  it('without a clock (library use) the clock rules are not applied', () => {
    expect(() =>
      validatePacs008(parsePacs008Xml(fixture(FEDNOW_SCENARIO1)), { partner: BANK_A }),
    ).not.toThrow();
  });
});

describe('business day', () => {
  const at = (iso: string) => Date.parse(iso);
  it('FedNow rolls at 7:00 p.m. US Eastern, in winter (EST) and summer (EDT)', () => {
    expect(railBusinessDay('fednow', at('2026-12-02T23:59:59Z'))).toBe('2026-12-02'); // 18:59:59 EST
    expect(railBusinessDay('fednow', at('2026-12-03T00:00:00Z'))).toBe('2026-12-03'); // 19:00 EST
    expect(railBusinessDay('fednow', at('2026-07-01T22:59:59Z'))).toBe('2026-07-01'); // 18:59:59 EDT
    expect(railBusinessDay('fednow', at('2026-07-01T23:00:00Z'))).toBe('2026-07-02'); // 19:00 EDT
  });
  it('across the DST changes (2026-03-08 and 2026-11-01)', () => {
    // Monday 2026-03-09 18:30 EDT (22:30Z) is still Monday; 19:00 EDT = 23:00Z rolls.
    expect(railBusinessDay('fednow', at('2026-03-09T22:30:00Z'))).toBe('2026-03-09');
    expect(railBusinessDay('fednow', at('2026-03-09T23:00:00Z'))).toBe('2026-03-10');
    // Monday 2026-11-02 (EST again): 19:00 EST = 00:00Z on the 3rd.
    expect(railBusinessDay('fednow', at('2026-11-02T23:30:00Z'))).toBe('2026-11-02');
    expect(railBusinessDay('fednow', at('2026-11-03T00:00:00Z'))).toBe('2026-11-03');
  });
  it('Friday evening, the weekend and holidays carry the next business day', () => {
    expect(railBusinessDay('fednow', at('2026-12-04T23:00:00Z'))).toBe('2026-12-04'); // Fri 18:00
    expect(railBusinessDay('fednow', at('2026-12-05T00:30:00Z'))).toBe('2026-12-07'); // Fri 19:30
    expect(railBusinessDay('fednow', at('2026-12-05T17:00:00Z'))).toBe('2026-12-07'); // Saturday
    expect(railBusinessDay('fednow', at('2026-12-06T17:00:00Z'))).toBe('2026-12-07'); // Sunday
    // Thanksgiving Thu 2026-11-26 -> Fri 27; Christmas Fri 2026-12-25 -> Mon 28.
    expect(railBusinessDay('fednow', at('2026-11-26T15:00:00Z'))).toBe('2026-11-27');
    expect(railBusinessDay('fednow', at('2026-12-24T23:00:00Z'))).toBe('2026-12-24'); // Thu 18:00
    expect(railBusinessDay('fednow', at('2026-12-25T00:00:00Z'))).toBe('2026-12-28'); // Thu 19:00
  });
  it('Federal Reserve holidays: a Sunday holiday moves to Monday, a Saturday one does not', () => {
    const h2026 = federalReserveHolidays(2026);
    expect([...h2026].sort()).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-04',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
    // 2026-07-04 is a Saturday: the Reserve Banks are open on Friday 07-03.
    expect(railBusinessDay('fednow', at('2026-07-03T15:00:00Z'))).toBe('2026-07-03');
    // 2027-07-04 is a Sunday: observed Monday 07-05.
    expect(federalReserveHolidays(2027).has('2027-07-05')).toBe(true);
  });
  it('RTP uses the US Eastern calendar date', () => {
    expect(railBusinessDay('rtp', at('2026-12-05T17:00:00Z'))).toBe('2026-12-05');
    expect(railBusinessDay('rtp', at('2026-12-06T04:59:59Z'))).toBe('2026-12-05');
  });
  it('a FedNow message dated with another day is refused DT01', () => {
    assertIssue(
      issuesFor(setText(fresh(), 'IntrBkSttlmDt', '2026-12-03')),
      'CdtTrfTxInf.IntrBkSttlmDt',
      'DT01',
    );
    // Created 18:59:55 EST, arriving 19:00:05: the day of its creation still passes.
    const created = Date.parse('2026-12-02T23:59:55Z');
    expect(issuesFor(fresh(created), { now: created + 10_000 })).toEqual([]);
  });
});

describe('network limits (rails config)', () => {
  it('FedNow and RTP allow 10,000,000.00 USD and refuse a cent more (AM02)', () => {
    const amount = (v: string) =>
      fresh().replace(/<IntrBkSttlmAmt Ccy="USD">[^<]*</, `<IntrBkSttlmAmt Ccy="USD">${v}<`);
    expect(issuesFor(amount('10000000.00'))).toEqual([]);
    assertIssue(issuesFor(amount('10000000.01')), 'CdtTrfTxInf.IntrBkSttlmAmt', 'AM02');
  });
});

describe('accounts', () => {
  const creditor = (inner: string) =>
    fresh().replace(/<CdtrAcct>[\s\S]*?<\/CdtrAcct>/, `<CdtrAcct>${inner}</CdtrAcct>`);
  const account = (xml: string) =>
    toPaymentInstruction(validatePacs008(withoutSchema(xml), { partner: BANK_A, now: NOW }), 'bank-a')
      .creditorAccount;

  it('IBAN and Othr together are refused with the path', () => {
    assertIssue(
      issuesFor(creditor('<Id><IBAN>DE89370400440532013000</IBAN><Othr><Id>123</Id></Othr></Id>')),
      'CdtTrfTxInf.CdtrAcct.Id',
      'AC03',
    );
  });

  it('e-mail proxies map to distinct accounts, also behind a NOTPROVIDED Othr/Id', () => {
    const email = (addr: string, id = '') =>
      creditor(`${id}<Prxy><Tp><Cd>EMAL</Cd></Tp><Id>${addr}</Id></Prxy>`);
    expect(account(email('Jane@Example.com'))).toBe('021040078:proxy:EMAL:jane@example.com');
    expect(account(email('john@example.com'))).toBe('021040078:proxy:EMAL:john@example.com');
    const placeholder = '<Id><Othr><Id>NOTPROVIDED</Id></Othr></Id>';
    expect(account(email('jane@example.com', placeholder))).toBe('021040078:proxy:EMAL:jane@example.com');
    expect(account(email('john@example.com', placeholder))).toBe('021040078:proxy:EMAL:john@example.com');
    // A phone proxy keeps the tel: form.
    expect(account(creditor('<Prxy><Tp><Cd>MBNO</Cd></Tp><Id>+15555550100</Id></Prxy>'))).toBe(
      '021040078:tel:+15555550100',
    );
    // NOTPROVIDED with no proxy is no account.
    assertIssue(issuesFor(creditor(placeholder)), 'CdtTrfTxInf.CdtrAcct.Id.Othr.Id', 'AC03');
  });
});

describe('characters', () => {
  it('XML Char: the exact XML 1.0 production', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x10ffff }), (cp) => {
        const expected =
          cp === 9 ||
          cp === 10 ||
          cp === 13 ||
          (cp >= 0x20 && cp <= 0xd7ff) ||
          (cp >= 0xe000 && cp <= 0xfffd) ||
          cp >= 0x10000;
        expect(isXmlCodePoint(cp)).toBe(expected);
        if (cp < 0xd800 || cp > 0xdfff) {
          expect(firstIllegalXmlChar(`a${String.fromCodePoint(cp)}b`) === undefined).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
    expect(firstIllegalXmlChar('a\uD800b')).toEqual({ index: 1, codePoint: 0xd800 });
    expect(firstIllegalXmlChar('\uDC00')).toEqual({ index: 0, codePoint: 0xdc00 });
    expect(firstIllegalXmlChar('\u{1F600}')).toBeUndefined();
  });

  const jsonWith = (mutate: (tx: Record<string, Record<string, string>>) => void): unknown => {
    const doc = toPacs008Json(parsePacs008Xml(fresh())) as unknown as {
      FIToFICstmrCdtTrf: {
        CdtTrfTxInf: Record<string, Record<string, string>>[] | Record<string, Record<string, string>>;
      };
    };
    const copy = structuredClone(doc);
    const txs = copy.FIToFICstmrCdtTrf.CdtTrfTxInf;
    mutate(Array.isArray(txs) ? (txs[0] ?? {}) : txs);
    return copy;
  };
  const jsonIssues = (body: unknown): readonly FieldIssue[] => {
    try {
      validatePacs008(parsePacs008Json(body), { partner: BANK_A, now: NOW });
    } catch (error) {
      if (error instanceof ValidationError) return error.issues;
      throw error;
    }
    return [];
  };

  it('the JSON form: any string with a non-Char is refused FF01 with its path, before parsing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 8 }),
          fc.integer({ min: 0xb, max: 0xc }),
          fc.integer({ min: 0xe, max: 0x1f }),
          fc.integer({ min: 0xd800, max: 0xdfff }),
          fc.constantFrom(0xfffe, 0xffff),
        ),
        fc.constantFrom('EndToEndId', 'InstrId'),
        (unit, field) => {
          const body = jsonWith((tx) => {
            const pmtId = tx['PmtId'] ?? {};
            pmtId[field] = `AB${String.fromCharCode(unit)}CD`;
          });
          const issues = jsonIssues(body);
          expect(issues).toContainEqual(
            expect.objectContaining({ field: `CdtTrfTxInf.PmtId.${field}`, code: 'FF01' }),
          );
        },
      ),
      { numRuns: 200 },
    );
    const inName = jsonWith((tx) => {
      const dbtr = tx['Dbtr'] ?? {};
      dbtr['Nm'] = 'Jane\u0000';
    });
    assertIssue(jsonIssues(inName), 'CdtTrfTxInf.Dbtr.Nm', 'FF01');
  });

  it('the XML form: a non-Char the parser let through (U+FFFF, U+0001, a lone surrogate) is FF01 with its path', () => {
    for (const ch of ['\uFFFF', '\u0001', '\uD800', '\uFFFE']) {
      const xml = fresh().replace('<Nm>Individual A</Nm>', `<Nm>Indiv${ch}idual A</Nm>`);
      assertIssue(issuesFor(xml), 'CdtTrfTxInf.Dbtr.Nm', 'FF01');
      // Through the real parse, the XML parser behind the XSD check refuses it first: FF01.
      expect(() => parsePacs008Xml(xml)).toThrow(expect.objectContaining({ code: 'FF01' }));
    }
  });

  it('references and account numbers: printable ASCII only (emoji, U+10FFFF, controls refused)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 0x10ffff })
          .filter((cp) => (cp < 0xd800 || cp > 0xdfff) && (cp < 0x20 || cp > 0x7e)),
        fc.constantFrom(
          ['EndToEndId', 'CdtTrfTxInf.PmtId.EndToEndId'],
          ['InstrId', 'CdtTrfTxInf.PmtId.InstrId'],
        ),
        (cp, [name, path]) => {
          const body = jsonWith((tx) => {
            const pmtId = tx['PmtId'] ?? {};
            pmtId[name ?? ''] = `E2E${String.fromCodePoint(cp)}`;
          });
          const issues = jsonIssues(body);
          expect(issues.some((i) => i.code === 'FF01' && i.field === path)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    assertIssue(
      issuesFor(setText(fresh(), 'EndToEndId', 'E2E-\u{1F600}')),
      'CdtTrfTxInf.PmtId.EndToEndId',
      'FF01',
    );
    assertIssue(
      issuesFor(setText(fresh(), 'EndToEndId', 'E2E-\u{10FFFF}')),
      'CdtTrfTxInf.PmtId.EndToEndId',
      'FF01',
    );
    assertIssue(
      issuesFor(fresh().replace('<Id>0031234567</Id>', '<Id>003123\u00e94567</Id>')),
      'CdtTrfTxInf.DbtrAcct.Id.Othr.Id',
      'FF01',
    );
    // Names keep every character.
    expect(issuesFor(fresh().replace('<Nm>Individual A</Nm>', '<Nm>Zoë \u{1F600}</Nm>'))).toEqual([]);
  });
});
