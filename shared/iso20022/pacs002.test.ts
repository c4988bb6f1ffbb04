import { InternalError } from '../domain/errors';
import { fixture } from './__fixtures__';
import type { IsoNode } from './mirror';
import { NS } from './namespaces';
import {
  buildPacs002Json,
  buildPacs002Reply,
  buildPacs002Xml,
  parsePacs002Xml,
  type StatusReportInput,
} from './pacs002';
import { parseXml } from './xml';

/** Every element path of a mirror (`TxInfAndSts/StsRsnInf/Rsn/Cd`), with its leaf value. */
function leaves(node: IsoNode, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof node === 'string') {
    out.set(prefix, node);
  } else if (Array.isArray(node)) {
    for (const item of node as IsoNode[]) for (const [k, v] of leaves(item, prefix)) out.set(k, v);
  } else {
    for (const [key, value] of Object.entries(node as Record<string, IsoNode>)) {
      for (const [k, v] of leaves(value, prefix ? `${prefix}/${key}` : key)) out.set(k, v);
    }
  }
  return out;
}

const FEDNOW_ACTC: StatusReportInput = {
  msgId: '20230604021040078Sc01Step3MsgId',
  createdAt: '2023-06-04T10:55:30-04:00',
  original: {
    msgId: '20230604011104238Sc01Step1MsgId',
    creDtTm: '2023-06-04T10:55:26-04:00',
    instrId: 'Scenario01InstrId001',
    endToEndId: 'Scenario01EtoEId001',
    uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
  },
  status: 'ACTC',
  instructingAgent: '021040078',
  instructedAgent: '011104238',
};

describe('buildPacs002Xml: FedNow shape', () => {
  it('reproduces the FedNow ACTC sample (Scenario1 Step3) element for element', () => {
    const ours = parsePacs002Xml(buildPacs002Xml(FEDNOW_ACTC, { rail: 'fednow', envelope: 'document' }));
    const sample = parsePacs002Xml(fixture('fednow/CustomerCreditTransfer_Scenario1_Step3_pacs.002.xml'));
    expect(ours).toEqual(sample);
    expect(ours.envelope).toBe('document');
  });

  it('reproduces the FedNow RJCT AC04 sample (Scenario3 Step3): StsRsnInf/Rsn/Cd', () => {
    const input: StatusReportInput = {
      ...FEDNOW_ACTC,
      msgId: '20230604021040078Sc03Step3MsgId',
      original: {
        ...FEDNOW_ACTC.original,
        msgId: '20230604011104238Sc03Step1MsgId',
        instrId: 'Scenario03InstrId001',
        endToEndId: 'Scenario03EtoEId001',
      },
      status: 'RJCT',
      reason: { code: 'AC04' },
    };
    const ours = parsePacs002Xml(buildPacs002Xml(input, { rail: 'fednow', envelope: 'document' }));
    const sample = parsePacs002Xml(fixture('fednow/CustomerCreditTransfer_Scenario3_Step3_pacs.002.xml'));
    expect(ours).toEqual(sample);
    expect(leaves(ours.FIToFIPmtStsRpt).get('TxInfAndSts/StsRsnInf/Rsn/Cd')).toBe('AC04');
  });

  it('reproduces the FedNow ACSC sample with AccptncDtTm and FctvIntrBkSttlmDt', () => {
    const input: StatusReportInput = {
      ...FEDNOW_ACTC,
      msgId: '20230604021150706Sc01Step4AMsgId',
      createdAt: '2023-06-04T10:55:32-04:00',
      status: 'ACSC',
      acceptanceDateTime: '2023-06-04T10:55:32-04:00',
      settlementDate: '2023-06-04',
      instructingAgent: '021150706',
    };
    const ours = parsePacs002Xml(buildPacs002Xml(input, { rail: 'fednow', envelope: 'document' }));
    expect(ours).toEqual(
      parsePacs002Xml(fixture('fednow/CustomerCreditTransfer_Scenario1_Step4_pacs.002_BankA.xml')),
    );
  });

  it('wraps in the FedNow envelope with a head.001.001.02 AppHdr when the partner used it', () => {
    const xml = buildPacs002Xml(FEDNOW_ACTC, { rail: 'fednow', envelope: 'fednow' });
    const root = parseXml(xml);
    expect([root.namespace, root.name]).toEqual([NS.fednowOutgoing, 'FedNowOutgoing']);
    const wrapper = root.children[0]?.children[0];
    expect(wrapper?.name).toBe('FedNowPaymentStatus');
    expect(wrapper?.children.map((c) => [c.name, c.namespace])).toEqual([
      ['AppHdr', NS.head001v02],
      ['Document', NS.pacs002],
    ]);
    const parsed = parsePacs002Xml(xml);
    expect(parsed.envelope).toBe('fednow');
    expect(parsed.FIToFIPmtStsRpt).toEqual(
      parsePacs002Xml(buildPacs002Xml(FEDNOW_ACTC, { rail: 'fednow', envelope: 'document' })).FIToFIPmtStsRpt,
    );
  });
});

describe('buildPacs002Xml: TCH RTP shape', () => {
  const input: StatusReportInput = {
    msgId: 'M20230711BOTS00714217617',
    createdAt: '2023-07-11T10:53:06',
    original: {
      msgId: 'M20230711200000057A1BFFF88058178098',
      creDtTm: '2023-07-11T10:53:05',
      instrId: '20230711200000057A1B123888058178098',
      txId: '20230711200000057A1B123888058178098',
      endToEndId: 'E2E-1',
    },
    status: 'RJCT',
    reason: { code: 'AC03' },
    acceptanceDateTime: '2023-07-11T10:53:06',
    instructingAgent: '987654320',
    instructedAgent: '123456780',
    participants: { from: '987654320T1', to: '123456780A1' },
  };

  it('has the element paths and values of the RTP RJCT sample (OrgnlGrpInfAndSts, TxInfAndSts, StsRsnInf/Rsn/Cd)', () => {
    const xml = buildPacs002Xml(input, { rail: 'rtp', envelope: 'tch' });
    const ours = leaves(parsePacs002Xml(xml).FIToFIPmtStsRpt);
    const sample = leaves(parsePacs002Xml(fixture('rtp/pacs002.RJCT.xml')).FIToFIPmtStsRpt);
    // Not produced: TCH's own clearing reference and the original amount/date echo.
    const notProduced = (path: string) => path.includes('OrgnlTxRef') || path.endsWith('ClrSysRef');
    for (const [path, value] of sample) {
      if (!notProduced(path)) expect([path, ours.get(path)]).toEqual([path, value]);
    }
    expect(ours.get('OrgnlGrpInfAndSts/OrgnlNbOfTxs')).toBe('1');
    // TCH's usage schema has no OrgnlEndToEndId in pacs.002 (the sample has none either).
    expect(ours.has('TxInfAndSts/OrgnlEndToEndId')).toBe(false);
    expect([...ours.keys()].some((k) => k.startsWith('TxInfAndSts/OrgnlGrpInf'))).toBe(false);
  });

  it('uses the TCH Message envelope, AppHdr children in head.001.001.01, the report in MessageStatusReport', () => {
    const xml = buildPacs002Xml(input, { rail: 'rtp', envelope: 'tch' });
    expect(xml).toContain(
      '<Message xmlns="urn:tch" xmlns:head="urn:iso:std:iso:20022:tech:xsd:head.001.001.01" xmlns:ps="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10">',
    );
    const root = parseXml(xml);
    expect(root.children.map((c) => [c.name, c.namespace])).toEqual([
      ['AppHdr', NS.tch],
      ['MessageStatusReport', NS.tch],
    ]);
    const appHdr = root.children[0];
    expect(appHdr?.children.every((c) => c.namespace === NS.head001v01)).toBe(true);
    expect(appHdr?.children.map((c) => c.name)).toEqual(['Fr', 'To', 'BizMsgIdr', 'MsgDefIdr', 'CreDt']);
    // TCH participant ids (11 characters), not the agents' 9-digit routing numbers.
    expect(xml).toMatch(
      /<head:Fr>\s*<head:FIId>\s*<head:FinInstnId>\s*<head:ClrSysMmbId>\s*<head:MmbId>987654320T1</,
    );
    expect(xml).toMatch(
      /<head:To>\s*<head:FIId>\s*<head:FinInstnId>\s*<head:ClrSysMmbId>\s*<head:MmbId>123456780A1</,
    );
    expect(root.children[1]?.children[0]?.namespace).toBe(NS.pacs002);
    expect(parsePacs002Xml(xml).envelope).toBe('tch');
  });

  it('never writes FctvIntrBkSttlmDt on RTP (TCH has none: acceptance is settlement)', () => {
    const actc = { ...input, status: 'ACTC' as const, reason: undefined, settlementDate: '2023-07-11' };
    expect(buildPacs002Xml(actc, { rail: 'rtp', envelope: 'tch' })).not.toContain('FctvIntrBkSttlmDt');
    expect(JSON.stringify(buildPacs002Json(actc, 'rtp'))).not.toContain('FctvIntrBkSttlmDt');
  });

  it('matches the RTP ACTC sample paths too', () => {
    const actc = { ...input, status: 'ACTC' as const, reason: undefined };
    const ours = leaves(
      parsePacs002Xml(buildPacs002Xml(actc, { rail: 'rtp', envelope: 'tch' })).FIToFIPmtStsRpt,
    );
    const sample = leaves(parsePacs002Xml(fixture('rtp/pacs002.ACTC.xml')).FIToFIPmtStsRpt);
    const paths = (m: Map<string, string>) =>
      [...m.keys()].filter((p) => !p.includes('OrgnlTxRef') && !p.endsWith('ClrSysRef')).sort();
    expect(paths(ours)).toEqual(paths(sample));
  });
});

describe('pacs.002 JSON form and escaping', () => {
  it('the JSON form is the mirror of the XML', () => {
    const json = buildPacs002Json(FEDNOW_ACTC, 'fednow');
    const xml = parsePacs002Xml(buildPacs002Xml(FEDNOW_ACTC, { rail: 'fednow', envelope: 'document' }));
    expect(json.FIToFIPmtStsRpt).toEqual(xml.FIToFIPmtStsRpt);
  });

  it('escapes XML text and splits additional info into Max105Text lines', () => {
    const info = `amount <1> & "quotes" 'x' \u0001 ${'z'.repeat(120)}`;
    const input: StatusReportInput = {
      ...FEDNOW_ACTC,
      status: 'RJCT',
      reason: { code: 'NARR', additionalInfo: info },
      original: { ...FEDNOW_ACTC.original, endToEndId: 'a<b>&c' },
    };
    const xml = buildPacs002Xml(input, { rail: 'fednow', envelope: 'document' });
    expect(xml).toContain('a&lt;b&gt;&amp;c');
    const tx = leaves(parsePacs002Xml(xml).FIToFIPmtStsRpt);
    expect(tx.get('TxInfAndSts/OrgnlEndToEndId')).toBe('a<b>&c');
    const report = parsePacs002Xml(xml).FIToFIPmtStsRpt as {
      TxInfAndSts: { StsRsnInf: { AddtlInf: string[] } };
    };
    expect(report.TxInfAndSts.StsRsnInf.AddtlInf.join('')).toBe(info.replace('\u0001', '\uFFFD'));
    expect(report.TxInfAndSts.StsRsnInf.AddtlInf.every((line) => [...line].length <= 105)).toBe(true);
  });

  it('refuses a RJCT without a reason (a bug in the caller)', () => {
    expect(() =>
      buildPacs002Xml({ ...FEDNOW_ACTC, status: 'RJCT' }, { rail: 'fednow', envelope: 'document' }),
    ).toThrow(InternalError);
  });

  it('answers in the partner format', () => {
    const json = buildPacs002Reply(FEDNOW_ACTC, { format: 'json' }, 'fednow');
    expect(json.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(json.body)).toEqual(buildPacs002Json(FEDNOW_ACTC, 'fednow'));
    const xml = buildPacs002Reply(FEDNOW_ACTC, { format: 'xml', envelope: 'tch' }, 'rtp');
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parsePacs002Xml(xml.body).envelope).toBe('tch');
  });
});
