import { NotPermittedError, ValidationError, type FieldIssue } from '../domain/errors';
import { fixture, FEDNOW_SCENARIO1, PACS008_SAMPLES, RTP_PACS008 } from './__fixtures__';
import { withoutSchema } from './__fixtures__/without-schema';
import { parsePacs008Json, parsePacs008Xml } from './pacs008';
import { validatePacs008, type PartnerContext, type ValidateOptions } from './validate';

const fednowXml = fixture(FEDNOW_SCENARIO1);
const rtpXml = fixture(RTP_PACS008);
const BANK_A: PartnerContext = { partnerId: 'bank-a', agentIds: ['011104238'] };
const TCH_BANK: PartnerContext = { partnerId: 'tch-bank', agentIds: ['234567891'] };

function issuesFor(xml: string, options: Partial<ValidateOptions> = {}): readonly FieldIssue[] {
  try {
    validatePacs008(withoutSchema(xml), { partner: BANK_A, ...options });
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  return [];
}

/** Removes the first `<Name ...>...</Name>` (or `<ct:Name>` in the TCH sample). */
function remove(xml: string, name: string): string {
  const re = new RegExp(`\\s*<((?:ct:)?${name})(\\s[^>]*)?>[\\s\\S]*?</\\1>`);
  const out = xml.replace(re, '');
  if (out === xml) throw new Error(`no ${name} in fixture`);
  return out;
}

/** Replaces the text of the first `<Name>` element (FedNow sample, unprefixed). */
function setText(xml: string, name: string, value: string): string {
  const re = new RegExp(`<${name}>[^<]*</${name}>`);
  if (!re.test(xml)) throw new Error(`no ${name} in fixture`);
  return xml.replace(re, `<${name}>${value}</${name}>`);
}

const assertIssue = (issues: readonly FieldIssue[], field: string, code: string) =>
  expect(issues).toContainEqual(expect.objectContaining({ field, code }));

describe('validatePacs008: every sample', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))(
    'validates %s for its debtor agent',
    (_file, sample) => {
      const valid = validatePacs008(parsePacs008Xml(fixture(sample.file)), {
        partner: sample.partner,
        routingCheckDigit: sample.routingCheckDigit,
      });
      expect(valid.rail).toBe(sample.rail);
      expect(valid.amount).toEqual({ amountMinor: sample.expected.amountMinor, currency: 'USD' });
      expect(valid.references.endToEndId).toBe(sample.expected.endToEndId);
    },
  );

  it('validates the RTP sample with the settlement date from GrpHdr', () => {
    const valid = validatePacs008(parsePacs008Xml(rtpXml), { partner: TCH_BANK, routingCheckDigit: false });
    expect(valid.settlementDate).toBe('2023-07-13');
    expect(valid.creationDateTime).toBe('2023-07-13T15:29:36');
    expect(valid.references).toEqual({
      msgId: 'M20230713234567891T1BOTS02083825666',
      endToEndId: 'EOTS',
      instrId: '20230713234567891T1BCXIA01868416991',
      txId: '20230713234567891T1BCXIA01868416991',
    });
  });

  it('accepts the TCH sample as is: RTP checks participant id format, not the ABA check digit', () => {
    expect(() => validatePacs008(parsePacs008Xml(rtpXml), { partner: TCH_BANK })).not.toThrow();
  });

  it('flags the TCH sample participant ids when the ABA check digit is enforced (RC02)', () => {
    const issues = issuesFor(rtpXml, { partner: TCH_BANK, routingCheckDigit: true });
    assertIssue(issues, 'CdtTrfTxInf.InstgAgt.FinInstnId.ClrSysMmbId.MmbId', 'RC02');
    assertIssue(issues, 'CdtTrfTxInf.CdtrAgt.FinInstnId.ClrSysMmbId.MmbId', 'RC02');
  });
});

describe('validatePacs008: mandatory elements (FF01 with the path)', () => {
  it.each([
    ['MsgId', 'GrpHdr.MsgId'],
    ['CreDtTm', 'GrpHdr.CreDtTm'],
    ['NbOfTxs', 'GrpHdr.NbOfTxs'],
    ['SttlmInf', 'GrpHdr.SttlmInf'],
    ['SttlmMtd', 'GrpHdr.SttlmInf.SttlmMtd'],
    ['ClrSys', 'GrpHdr.SttlmInf.ClrSys'],
    ['GrpHdr', 'GrpHdr'],
    ['PmtId', 'CdtTrfTxInf.PmtId'],
    ['EndToEndId', 'CdtTrfTxInf.PmtId.EndToEndId'],
    ['IntrBkSttlmAmt', 'CdtTrfTxInf.IntrBkSttlmAmt'],
    ['IntrBkSttlmDt', 'CdtTrfTxInf.IntrBkSttlmDt'],
    ['ChrgBr', 'CdtTrfTxInf.ChrgBr'],
    ['InstgAgt', 'CdtTrfTxInf.InstgAgt'],
    ['InstdAgt', 'CdtTrfTxInf.InstdAgt'],
    ['Dbtr', 'CdtTrfTxInf.Dbtr'],
    ['DbtrAcct', 'CdtTrfTxInf.DbtrAcct'],
    ['DbtrAgt', 'CdtTrfTxInf.DbtrAgt'],
    ['CdtrAgt', 'CdtTrfTxInf.CdtrAgt'],
    ['Cdtr', 'CdtTrfTxInf.Cdtr'],
    ['CdtrAcct', 'CdtTrfTxInf.CdtrAcct'],
    ['CdtTrfTxInf', 'CdtTrfTxInf'],
  ])('missing %s -> %s FF01', (element, field) => {
    assertIssue(issuesFor(remove(fednowXml, element)), field, 'FF01');
  });

  it.each([
    ['Dbtr name', /<Nm>Individual A<\/Nm>/, 'CdtTrfTxInf.Dbtr.Nm'],
    ['Cdtr name', /<Nm>Corporation B<\/Nm>/, 'CdtTrfTxInf.Cdtr.Nm'],
    ['currency', / Ccy="USD"/, 'CdtTrfTxInf.IntrBkSttlmAmt.Ccy'],
    ['clearing system code', /<Cd>FDN<\/Cd>/, 'GrpHdr.SttlmInf.ClrSys.Cd'],
    ['debtor account number', /<Id>0031234567<\/Id>/, 'CdtTrfTxInf.DbtrAcct.Id.Othr.Id'],
    [
      'creditor agent routing number',
      /<MmbId>021040078<\/MmbId>(?![\s\S]*<MmbId>021040078)/,
      'CdtTrfTxInf.CdtrAgt.FinInstnId.ClrSysMmbId.MmbId',
    ],
  ])('missing %s -> FF01 at its path', (_what, pattern, field) => {
    assertIssue(issuesFor(fednowXml.replace(pattern, '')), field, 'FF01');
  });

  it('missing settlement date in the TCH sample (it sits in GrpHdr) -> CdtTrfTxInf.IntrBkSttlmDt FF01', () => {
    assertIssue(
      issuesFor(remove(rtpXml, 'IntrBkSttlmDt'), { partner: TCH_BANK, routingCheckDigit: false }),
      'CdtTrfTxInf.IntrBkSttlmDt',
      'FF01',
    );
  });

  it('collects every problem in one ValidationError', () => {
    const issues = issuesFor(remove(remove(setText(fednowXml, 'ChrgBr', 'DEBT'), 'CreDtTm'), 'Cdtr'));
    expect(issues.map((i) => i.field)).toEqual(
      expect.arrayContaining(['GrpHdr.CreDtTm', 'CdtTrfTxInf.ChrgBr', 'CdtTrfTxInf.Cdtr']),
    );
  });
});

describe('validatePacs008: formats', () => {
  it('routing numbers: wrong check digit -> RC02, wrong shape -> RC01', () => {
    const wrongDigit = fednowXml.replaceAll('021040078', '021040079');
    assertIssue(issuesFor(wrongDigit), 'CdtTrfTxInf.CdtrAgt.FinInstnId.ClrSysMmbId.MmbId', 'RC02');
    assertIssue(issuesFor(wrongDigit), 'CdtTrfTxInf.InstdAgt.FinInstnId.ClrSysMmbId.MmbId', 'RC02');
    assertIssue(
      issuesFor(fednowXml.replaceAll('021040078', '2104007')),
      'CdtTrfTxInf.CdtrAgt.FinInstnId.ClrSysMmbId.MmbId',
      'RC01',
    );
    assertIssue(
      issuesFor(fednowXml.replace('<Cd>USABA</Cd>', '<Cd>GBDSC</Cd>')),
      'CdtTrfTxInf.InstgAgt.FinInstnId.ClrSysMmbId.ClrSysId.Cd',
      'RC02',
    );
  });

  it('BIC: shape checked (RC01), and a partner listed by BIC matches an agent carrying it', () => {
    const withBic = (bic: string) =>
      fednowXml.replaceAll(
        '<FinInstnId>\n\t\t\t\t\t<ClrSysMmbId>\n\t\t\t\t\t\t<ClrSysId>\n\t\t\t\t\t\t\t<Cd>USABA</Cd>\n\t\t\t\t\t\t</ClrSysId>\n\t\t\t\t\t\t<MmbId>011104238',
        `<FinInstnId><BICFI>${bic}</BICFI><ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>011104238`,
      );
    expect(withBic('BOFAUS3NXXX')).toContain('<BICFI>BOFAUS3NXXX</BICFI>');
    expect(
      issuesFor(withBic('BOFAUS3NXXX'), {
        partner: { partnerId: 'bank-a', agentIds: ['BOFAUS3N', '011104238'] },
      }),
    ).toEqual([]);
    // The partner's own BIC next to another bank's routing number: the ledger account would be
    // derived from the routing number, so it is refused (403 AGNT at the routing number).
    const ownBicForeignRouting = issuesFor(withBic('BOFAUS3NXXX'), {
      partner: { partnerId: 'bank-a', agentIds: ['BOFAUS3N'] },
    });
    assertIssue(ownBicForeignRouting, 'CdtTrfTxInf.DbtrAgt.FinInstnId.ClrSysMmbId.MmbId', 'AGNT');
    expect(ownBicForeignRouting.every((issue) => issue.code === 'AGNT')).toBe(true);
    // The partner's routing number next to a BIC it does not hold: refused too.
    assertIssue(
      issuesFor(withBic('DEUTDEFFXXX'), { partner: { partnerId: 'bank-a', agentIds: ['011104238'] } }),
      'CdtTrfTxInf.DbtrAgt.FinInstnId.BICFI',
      'AGNT',
    );
    assertIssue(issuesFor(withBic('BOFA')), 'CdtTrfTxInf.DbtrAgt.FinInstnId.BICFI', 'RC01');
  });

  it('IBAN mod-97: debtor -> AC02, creditor -> AC03; a valid IBAN passes', () => {
    const iban = (xml: string, account: string, value: string) =>
      xml.replace(`<Othr>\n\t\t\t\t\t\t<Id>${account}</Id>\n\t\t\t\t\t</Othr>`, `<IBAN>${value}</IBAN>`);
    const valid = iban(fednowXml, '56478374687', 'DE89370400440532013000');
    expect(valid).toContain('<IBAN>');
    expect(issuesFor(valid)).toEqual([]);
    assertIssue(
      issuesFor(iban(fednowXml, '56478374687', 'DE89370400440532013001')),
      'CdtTrfTxInf.CdtrAcct.Id.IBAN',
      'AC03',
    );
    assertIssue(
      issuesFor(iban(fednowXml, '0031234567', 'GB82WEST12345698765433')),
      'CdtTrfTxInf.DbtrAcct.Id.IBAN',
      'AC02',
    );
  });

  it('dates and date-times -> DT01', () => {
    assertIssue(issuesFor(setText(fednowXml, 'CreDtTm', '2023-02-30T10:00:00')), 'GrpHdr.CreDtTm', 'DT01');
    assertIssue(issuesFor(setText(fednowXml, 'CreDtTm', '2023-06-04 10:55:26')), 'GrpHdr.CreDtTm', 'DT01');
    assertIssue(
      issuesFor(setText(fednowXml, 'IntrBkSttlmDt', '2023-13-01')),
      'CdtTrfTxInf.IntrBkSttlmDt',
      'DT01',
    );
    assertIssue(
      issuesFor(setText(fednowXml, 'IntrBkSttlmDt', '04/06/2023')),
      'CdtTrfTxInf.IntrBkSttlmDt',
      'DT01',
    );
  });

  it('MsgId must follow the rail convention', () => {
    assertIssue(issuesFor(setText(fednowXml, 'MsgId', 'ABC')), 'GrpHdr.MsgId', 'FF01');
    assertIssue(issuesFor(setText(fednowXml, 'MsgId', '20231332011104238X')), 'GrpHdr.MsgId', 'FF01');
    assertIssue(
      issuesFor(setText(fednowXml, 'MsgId', `20230604011104238${'x'.repeat(19)}`)),
      'GrpHdr.MsgId',
      'FF01',
    );
    const rtp = (msgId: string) =>
      issuesFor(rtpXml.replace('M20230713234567891T1BOTS02083825666', msgId), {
        partner: TCH_BANK,
        routingCheckDigit: false,
      });
    assertIssue(rtp('20230713234567891T1BOTS'), 'GrpHdr.MsgId', 'FF01');
    assertIssue(rtp('M20230230234567891T1'), 'GrpHdr.MsgId', 'FF01');
    expect(rtp('M20230713234567891T1')).toEqual([]);
  });

  it('identifiers: EndToEndId over 35 characters, UETR not a UUIDv4 -> FF01', () => {
    assertIssue(
      issuesFor(setText(fednowXml, 'EndToEndId', 'E'.repeat(36))),
      'CdtTrfTxInf.PmtId.EndToEndId',
      'FF01',
    );
    assertIssue(
      issuesFor(setText(fednowXml, 'UETR', '8A562C67-CA16-48BA-B074-65581BE6F011')),
      'CdtTrfTxInf.PmtId.UETR',
      'FF01',
    );
  });

  it('mobile wallet creditor: Prxy MBNO with an E.164 number; a bad number -> AC03', () => {
    const wallet = (proxy: string) =>
      fednowXml.replace(
        /<CdtrAcct>[\s\S]*?<\/CdtrAcct>/,
        `<CdtrAcct><Prxy><Tp><Cd>MBNO</Cd></Tp><Id>${proxy}</Id></Prxy></CdtrAcct>`,
      );
    expect(issuesFor(wallet('+15555550100'))).toEqual([]);
    expect(issuesFor(wallet('+1-5555550100'))).toEqual([]);
    assertIssue(issuesFor(wallet('5555550100')), 'CdtTrfTxInf.CdtrAcct.Prxy.Id', 'AC03');
    assertIssue(issuesFor(wallet('+0123')), 'CdtTrfTxInf.CdtrAcct.Prxy.Id', 'AC03');
    assertIssue(issuesFor(wallet(`+1${'5'.repeat(15)}`)), 'CdtTrfTxInf.CdtrAcct.Prxy.Id', 'AC03');
    const email = fednowXml.replace(
      /<CdtrAcct>[\s\S]*?<\/CdtrAcct>/,
      '<CdtrAcct><Prxy><Tp><Cd>EMAL</Cd></Tp><Id>a@b.c</Id></Prxy></CdtrAcct>',
    );
    expect(issuesFor(email)).toEqual([]); // an e-mail proxy is an account of its own (rail-rules.test.ts)
    assertIssue(
      issuesFor(setText(fednowXml, 'Id', '+1 (555) 0100')),
      'CdtTrfTxInf.DbtrAcct.Id.Othr.Id',
      'AC02',
    );
  });
});

describe('validatePacs008: business rules', () => {
  it.each([
    ['1.005', 'AM12', 'too many decimals for USD (never rounded)'],
    ['0', 'AM12', 'zero'],
    ['0.00', 'AM12', 'zero'],
    ['-1.00', 'AM12', 'negative'],
    ['1e3', 'AM12', 'not a plain decimal'],
    ['10000000.01', 'AM02', 'over the rail limit'],
  ])('amount %s -> %s (%s)', (amount, code) => {
    assertIssue(issuesFor(fednowXml.replace('>51.74<', `>${amount}<`)), 'CdtTrfTxInf.IntrBkSttlmAmt', code);
  });

  it('accepts exactly the network limit', () => {
    expect(issuesFor(fednowXml.replace('>51.74<', '>10000000.00<'))).toEqual([]);
  });

  it('over the partner limit -> AM02', () => {
    assertIssue(
      issuesFor(fednowXml, { partner: { ...BANK_A, limitMinor: 5000 } }),
      'CdtTrfTxInf.IntrBkSttlmAmt',
      'AM02',
    );
    expect(issuesFor(fednowXml, { partner: { ...BANK_A, limitMinor: 5174 } })).toEqual([]);
  });

  it('unknown currency -> CURR; a real currency the rail or partner does not take -> AM03', () => {
    assertIssue(
      issuesFor(fednowXml.replace('Ccy="USD"', 'Ccy="XYZ"')),
      'CdtTrfTxInf.IntrBkSttlmAmt.Ccy',
      'CURR',
    );
    assertIssue(
      issuesFor(fednowXml.replace('Ccy="USD"', 'Ccy="EUR"')),
      'CdtTrfTxInf.IntrBkSttlmAmt.Ccy',
      'AM03',
    );
    assertIssue(
      issuesFor(fednowXml, { partner: { ...BANK_A, currencies: ['EUR'] } }),
      'CdtTrfTxInf.IntrBkSttlmAmt.Ccy',
      'AM03',
    );
  });

  it('foreign debtor agent / instructing agent -> AGNT', () => {
    const issues = issuesFor(fednowXml, { partner: { partnerId: 'bank-b', agentIds: ['021040078'] } });
    assertIssue(issues, 'CdtTrfTxInf.DbtrAgt.FinInstnId.ClrSysMmbId.MmbId', 'AGNT');
    assertIssue(issues, 'CdtTrfTxInf.InstgAgt.FinInstnId.ClrSysMmbId.MmbId', 'AGNT');
    expect(() =>
      validatePacs008(parsePacs008Xml(fednowXml), {
        partner: { partnerId: 'bank-b', agentIds: ['021040078'] },
      }),
    ).toThrow(NotPermittedError);
    const onlyDebtorAgentForeign = fednowXml.replace(/(<DbtrAgt>[\s\S]*?<MmbId>)011104238/, '$1021040078');
    expect(issuesFor(onlyDebtorAgentForeign).map((i) => [i.field, i.code])).toEqual([
      ['CdtTrfTxInf.DbtrAgt.FinInstnId.ClrSysMmbId.MmbId', 'AGNT'],
    ]);
  });

  it('NbOfTxs = 2, or more transactions than NbOfTxs -> FF01', () => {
    assertIssue(issuesFor(setText(fednowXml, 'NbOfTxs', '2')), 'GrpHdr.NbOfTxs', 'FF01');
    const tx = /<CdtTrfTxInf>[\s\S]*<\/CdtTrfTxInf>/.exec(fednowXml)?.[0] ?? '';
    assertIssue(issuesFor(fednowXml.replace(tx, tx + tx)), 'CdtTrfTxInf', 'FF01');
  });

  it('the rail: clearing system, settlement method, charge bearer, service level', () => {
    assertIssue(issuesFor(fednowXml, { rail: 'rtp' }), 'GrpHdr.SttlmInf.ClrSys.Cd', 'FF01');
    assertIssue(issuesFor(setText(fednowXml, 'Cd', 'XXX')), 'GrpHdr.SttlmInf.ClrSys.Cd', 'FF01');
    assertIssue(issuesFor(setText(fednowXml, 'SttlmMtd', 'INDA')), 'GrpHdr.SttlmInf.SttlmMtd', 'FF01');
    assertIssue(issuesFor(setText(fednowXml, 'ChrgBr', 'SHAR')), 'CdtTrfTxInf.ChrgBr', 'FF01');
    const rtpOptions = { partner: TCH_BANK, routingCheckDigit: false };
    assertIssue(
      issuesFor(rtpXml.replace('<ct:Cd>SDVA</ct:Cd>', '<ct:Cd>URGP</ct:Cd>'), rtpOptions),
      'CdtTrfTxInf.PmtTpInf.SvcLvl.Cd',
      'FF01',
    );
    assertIssue(
      issuesFor(rtpXml.replace('<ct:Prtry>STANDARD</ct:Prtry>', '<ct:Prtry>OTHER</ct:Prtry>'), rtpOptions),
      'CdtTrfTxInf.PmtTpInf.LclInstrm.Prtry',
      'FF01',
    );
  });

  it('TCH group total must equal the transaction amount; settlement dates must agree', () => {
    const rtpOptions = { partner: TCH_BANK, routingCheckDigit: false };
    const total = rtpXml.replace(
      '<ct:TtlIntrBkSttlmAmt Ccy="USD">46154.49',
      '<ct:TtlIntrBkSttlmAmt Ccy="USD">46154.50',
    );
    assertIssue(issuesFor(total, rtpOptions), 'GrpHdr.TtlIntrBkSttlmAmt', 'AM12');
    const twoDates = rtpXml.replace(
      '<ct:ChrgBr>',
      '<ct:IntrBkSttlmDt>2023-07-14</ct:IntrBkSttlmDt><ct:ChrgBr>',
    );
    assertIssue(issuesFor(twoDates, rtpOptions), 'CdtTrfTxInf.IntrBkSttlmDt', 'FF01');
  });

  it('debtor account = creditor account -> AC03', () => {
    const same = fednowXml
      .replace('<Id>56478374687</Id>', '<Id>0031234567</Id>')
      .replaceAll('021040078', '011104238');
    assertIssue(issuesFor(same), 'CdtTrfTxInf.CdtrAcct', 'AC03');
  });

  it('validates the JSON form with the same rules (rail from ClrSys/Cd)', () => {
    const { GrpHdr, CdtTrfTxInf } = parsePacs008Xml(fednowXml).document.FIToFICstmrCdtTrf;
    const json = {
      FIToFICstmrCdtTrf: {
        GrpHdr,
        CdtTrfTxInf: { ...CdtTrfTxInf, IntrBkSttlmAmt: { Ccy: 'USD', value: '1.005' } },
      },
    };
    expect(() => validatePacs008(parsePacs008Json(json), { partner: BANK_A })).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ field: 'CdtTrfTxInf.IntrBkSttlmAmt', code: 'AM12' })],
      }),
    );
  });
});
