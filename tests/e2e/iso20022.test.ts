import { randomUUID } from 'node:crypto';
import { DynamoPartnerRegistry } from '../../shared/adapters/dynamodb/partner-registry';
import { PartnerClient } from '../../shared/partner-client';
import {
  messageSchemaIssues,
  PACS002_SPEC,
  parsePacs002Xml,
  parsePacs008Xml,
  toPacs008Json,
  type IsoNode,
} from '../../shared/iso20022';
import {
  fixture,
  restampedFixture,
  PACS008_SAMPLES,
  FEDNOW_SCENARIO1,
  RTP_PACS008,
} from '../../shared/iso20022/__fixtures__';
import type { LocalStack } from '../../tools/local/stack';
import { restampPacs008, type Restamped } from '../../shared/iso20022/restamp';
import { openAccount, testAdapters, testConfig } from '../support/adapters';
import { startTestStack, registerEd25519Partner, testPartnerRegistry } from '../support/local-stack';

/**
 * The real FedNow and TCH RTP samples end to end on the local stack: every pacs.008 is accepted
 * (pacs.002 in the partner's own form: FedNow ACTC, RTP RCVD) and settles (FedNow ACSC, RTP
 * ACTC: on RTP acceptance is settlement, TCH's vocabulary); pacs.028 asks for the status.
 */
let stack: LocalStack;
let adapters: ReturnType<typeof testAdapters>;
let registry: DynamoPartnerRegistry;

beforeAll(async () => {
  stack = await startTestStack();
  adapters = testAdapters(testConfig());
  registry = testPartnerRegistry();
  const accounts = new Set(PACS008_SAMPLES.flatMap((s) => [s.expected.debtor, s.expected.creditor]));
  for (const account of accounts) await openAccount(adapters, account, 100_000_000_00);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/**
 * A fresh partner for the sample's institution, so each test owns its references; the sample's
 * debtor accounts held at its institution are (re)opened as its own, since the ledger lets only
 * an account's owner debit it.
 */
async function partnerFor(agentIds: readonly string[]): Promise<PartnerClient> {
  const partnerId = `iso-${randomUUID().slice(0, 8)}`;
  const client = await registerEd25519Partner(stack, registry, { partnerId, agentIds: [...agentIds] });
  const debtors = new Set(PACS008_SAMPLES.map((s) => s.expected.debtor));
  for (const account of debtors) {
    if (agentIds.some((id) => account.startsWith(`${id}:`))) {
      await openAccount(adapters, account, 100_000_000_00, { owner: partnerId });
    }
  }
  return client;
}

const SCENARIO1_UETR = '8a562c67-ca16-48ba-b074-65581be6f011';

/** The Fed's Scenario 5 pacs.028, re-pointed at a sent message: every reference it names. */
function statusRequestFor(refs: Restamped['refs']): string {
  return fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml')
    .replace(/<OrgnlMsgId>[^<]*<\/OrgnlMsgId>/, `<OrgnlMsgId>${refs.msgId ?? ''}</OrgnlMsgId>`)
    .replace(/<OrgnlCreDtTm>[^<]*<\/OrgnlCreDtTm>/, `<OrgnlCreDtTm>${refs.creDtTm ?? ''}</OrgnlCreDtTm>`)
    .replace('Scenario05InstrId001', 'Scenario01InstrId001')
    .replace(
      /<OrgnlEndToEndId>[^<]*<\/OrgnlEndToEndId>/,
      `<OrgnlEndToEndId>${refs.endToEndId ?? ''}</OrgnlEndToEndId>`,
    )
    .replace(/<OrgnlUETR>[^<]*<\/OrgnlUETR>/, refs.uetr ? `<OrgnlUETR>${refs.uetr}</OrgnlUETR>` : '');
}

function node(value: IsoNode | undefined, ...path: string[]): IsoNode | undefined {
  let current = value;
  for (const key of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = (current as Record<string, IsoNode>)[key];
  }
  return current;
}

function txStatus(report: IsoNode): { status?: IsoNode; e2e?: IsoNode; reason?: IsoNode } {
  const tx = node(report, 'TxInfAndSts');
  return {
    status: node(tx, 'TxSts'),
    e2e: node(tx, 'OrgnlEndToEndId'),
    reason: node(tx, 'StsRsnInf', 'Rsn', 'Cd'),
  };
}

async function waitForXmlStatus(client: PartnerClient, endToEndId: string, want: string): Promise<IsoNode> {
  const until = Date.now() + 15_000;
  for (;;) {
    const res = await client.request('GET', `/payments?endToEndId=${encodeURIComponent(endToEndId)}`, {
      accept: 'application/xml',
    });
    expect(res.status).toBe(200);
    const report = parsePacs002Xml(res.body).FIToFIPmtStsRpt;
    if (txStatus(report).status === want || Date.now() > until) return report;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ISO 20022 intake (local stack)', () => {
  it.each(PACS008_SAMPLES.map((s) => [s.file, s] as const))(
    'accepts and settles %s',
    async (_file, sample) => {
      const client = await partnerFor(sample.partner.agentIds);
      const debtorBefore = (await adapters.ledger.getAccount(sample.expected.debtor))?.balanceMinor ?? 0;
      // The samples are from 2023: restamped (CreDtTm, business day, fresh references) they
      // pass the rail clock rules.
      const { body, refs } = restampedFixture(sample.file);
      const endToEndId = refs.endToEndId ?? '';
      const res = await client.submitPayment(body, 'application/xml');
      expect(res.status).toBe(202);
      expect(res.headers['content-type']).toContain('application/xml');
      const ack = parsePacs002Xml(res.body);
      expect(ack.envelope).toBe(sample.envelope);
      const rtp = sample.rail === 'rtp';
      expect(txStatus(ack.FIToFIPmtStsRpt)).toMatchObject({
        status: rtp ? 'RCVD' : 'ACTC',
        // TCH's pacs.002 usage schema has no OrgnlEndToEndId: the RTP answer names OrgnlInstrId.
        e2e: sample.envelope === 'tch' ? undefined : endToEndId,
      });
      // Every answer validates against the rail's pacs.002 schema (TCH: AppHdr strictly).
      expect(messageSchemaIssues(res.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);

      const settledStatus = rtp ? 'ACTC' : 'ACSC';
      const settled = await waitForXmlStatus(client, endToEndId, settledStatus);
      expect(txStatus(settled).status).toBe(settledStatus);
      const debtorAfter = (await adapters.ledger.getAccount(sample.expected.debtor))?.balanceMinor ?? 0;
      expect(debtorBefore - debtorAfter).toBeGreaterThanOrEqual(sample.expected.amountMinor);
    },
  );

  it('accepts the JSON form of a sample and answers in JSON', async () => {
    const sample = PACS008_SAMPLES[0];
    if (!sample) throw new Error('no samples');
    const client = await partnerFor(sample.partner.agentIds);
    const { body, refs } = restampedFixture(sample.file);
    const json = JSON.stringify(toPacs008Json(parsePacs008Xml(body)));
    const res = await client.submitPayment(json, 'application/json');
    expect(res.status).toBe(202);
    const ack = JSON.parse(res.body) as { FIToFIPmtStsRpt: IsoNode };
    expect(txStatus(ack.FIToFIPmtStsRpt)).toMatchObject({ status: 'ACTC', e2e: refs.endToEndId });
  });

  it('TCH RTP: settled is ACTC with no FctvIntrBkSttlmDt, a resend then 200 ACTC, the AppHdr between participant ids', async () => {
    const client = await partnerFor(['234567891']);
    const { body, refs } = restampedFixture(RTP_PACS008);
    const endToEndId = refs.endToEndId ?? '';
    const res = await client.submitPayment(body, 'application/xml');
    expect(res.status).toBe(202);
    // To: the sender's participant id, which the sample's MsgId carries (its AppHdr is empty).
    expect(res.body).toMatch(
      /<head:To>\s*<head:FIId>\s*<head:FinInstnId>\s*<head:ClrSysMmbId>\s*<head:MmbId>234567891T1</,
    );
    await waitForXmlStatus(client, endToEndId, 'ACTC');
    const status = await client.request('GET', `/payments?endToEndId=${encodeURIComponent(endToEndId)}`, {
      accept: 'application/xml',
    });
    expect(status.body).not.toContain('FctvIntrBkSttlmDt');
    expect(messageSchemaIssues(status.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
    const json = await client.request('GET', `/payments?endToEndId=${encodeURIComponent(endToEndId)}`, {
      accept: 'application/json',
    });
    expect(txStatus((JSON.parse(json.body) as { FIToFIPmtStsRpt: IsoNode }).FIToFIPmtStsRpt).status).toBe(
      'ACTC',
    );
    const again = await client.submitPayment(body, 'application/xml');
    expect(again.status).toBe(200);
    expect(txStatus(parsePacs002Xml(again.body).FIToFIPmtStsRpt).status).toBe('ACTC');
    expect(messageSchemaIssues(again.body, PACS002_SPEC, { strictAppHdr: true })).toEqual([]);
  });

  it('keeps the raw message with its digest, immutable, next to the payment', async () => {
    const client = await partnerFor(['011104238']);
    const xml = restampedFixture(FEDNOW_SCENARIO1).body;
    const res = await client.submitPayment(xml, 'application/xml');
    expect(res.status).toBe(202);
    const paymentId = res.headers.location?.split('/').pop() ?? '';
    const raw = await adapters.payments.getRawMessage(paymentId);
    expect(raw?.body.toString('utf8')).toBe(xml);
    expect(raw?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a resend with the payment current status (ACSC once settled), and a changed resend with RJCT DUPL', async () => {
    const client = await partnerFor(['011104238']);
    const stamped = restampedFixture(FEDNOW_SCENARIO1);
    const xml = stamped.body;
    const endToEndId = stamped.refs.endToEndId ?? '';
    const [a, b] = await Promise.all([
      client.submitPayment(xml, 'application/xml'),
      client.submitPayment(xml, 'application/xml'),
    ]);
    // One is the new payment (202 ACTC); the other a resend answered with the payment's current
    // status: 202 while it is in flight, 200 ACSC if it settled in between.
    expect([a.status, b.status]).toContain(202);
    expect([200, 202]).toEqual(expect.arrayContaining([a.status, b.status]));
    expect(a.headers.location).toBe(b.headers.location);

    // Once settled, a resend is answered 200 ACSC (never ACTC again).
    await waitForXmlStatus(client, endToEndId, 'ACSC');
    const late = await client.submitPayment(xml, 'application/xml');
    expect(late.status).toBe(200);
    expect(late.headers.location).toBe(a.headers.location);
    expect(txStatus(parsePacs002Xml(late.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'ACSC',
      e2e: endToEndId,
    });

    const changed = xml.replace('>51.74<', '>51.75<');
    expect(changed).not.toBe(xml);
    const dupl = await client.submitPayment(changed, 'application/xml');
    expect(dupl.status).toBe(409);
    expect(txStatus(parsePacs002Xml(dupl.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'RJCT',
      reason: 'DUPL',
    });
  });

  it('answers a resend of a payment rejected at settlement with 200 RJCT and its reason', async () => {
    const client = await partnerFor(['011104238']);
    // Scenario 1 from a debtor account the ledger does not hold: accepted, then refused AC02.
    const stamped = restampedFixture(FEDNOW_SCENARIO1);
    const xml = stamped.body.replace('<Id>0031234567</Id>', `<Id>9${Date.now()}</Id>`);
    const first = await client.submitPayment(xml, 'application/xml');
    expect(first.status).toBe(202);
    expect(txStatus(parsePacs002Xml(first.body).FIToFIPmtStsRpt).status).toBe('ACTC');
    await waitForXmlStatus(client, stamped.refs.endToEndId ?? '', 'RJCT');
    const again = await client.submitPayment(xml, 'application/xml');
    expect(again.status).toBe(200);
    expect(again.headers.location).toBe(first.headers.location);
    expect(txStatus(parsePacs002Xml(again.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'RJCT',
      reason: 'AC02',
    });
  });

  it('refuses a foreign agent with pacs.002 RJCT AGNT (403), writing nothing', async () => {
    const client = await partnerFor(['999999999']);
    const res = await client.submitPayment(restampedFixture(FEDNOW_SCENARIO1).body, 'application/xml');
    expect(res.status).toBe(403);
    expect(txStatus(parsePacs002Xml(res.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'RJCT',
      reason: 'AGNT',
    });
  });

  it('refuses a schema violation with pacs.002 RJCT FF01 naming the field, before any rule', async () => {
    // Also a rule failure (partner not the debtor agent): the schema answers first.
    const client = await partnerFor(['999999999']);
    const body = fixture(FEDNOW_SCENARIO1).replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>FREE</ChrgBr>');
    const res = await client.submitPayment(body, 'application/xml');
    expect(res.status).toBe(400);
    const report = parsePacs002Xml(res.body).FIToFIPmtStsRpt;
    expect(txStatus(report)).toMatchObject({ status: 'RJCT', reason: 'FF01', e2e: 'Scenario01EtoEId001' });
    expect(JSON.stringify(node(report, 'TxInfAndSts', 'StsRsnInf', 'AddtlInf'))).toContain(
      'CdtTrfTxInf.ChrgBr: schema:',
    );
  });

  it('refuses a pacs.028 that fails its schema with 400 FF01', async () => {
    const client = await partnerFor(['011104238']);
    const request = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml').replace(
      /<MsgId>[^<]*<\/MsgId>/,
      `<MsgId>${'M'.repeat(36)}</MsgId>`,
    );
    const res = await client.request('POST', '/payments/status-requests', {
      body: request,
      contentType: 'application/xml',
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('FF01');
    expect(res.body).toContain('GrpHdr.MsgId');
  });

  it('answers garbage that is not a pacs.008 with a 400 JSON error', async () => {
    const client = await partnerFor(['011104238']);
    const res = await client.submitPayment('<hello/>', 'application/xml');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('FF01');
  });

  it('answers a pacs.028 status request with the pacs.002 of the payment every reference names', async () => {
    const client = await partnerFor(['011104238']);
    const { body, refs } = restampedFixture(FEDNOW_SCENARIO1);
    const endToEndId = refs.endToEndId ?? '';
    expect((await client.submitPayment(body, 'application/xml')).status).toBe(202);
    await waitForXmlStatus(client, endToEndId, 'ACSC');
    // Scenario 5's request, naming the sent message: MsgId, CreDtTm, InstrId, EndToEndId, UETR.
    const request = statusRequestFor(refs);
    const res = await client.request('POST', '/payments/status-requests', {
      body: request,
      contentType: 'application/xml',
    });
    expect(res.status).toBe(200);
    expect(txStatus(parsePacs002Xml(res.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'ACSC',
      e2e: endToEndId,
    });
  });

  it("answers the Fed's own Scenario 5 pacs.028 (Scenario 1's UETR, a MsgId / EndToEndId never sent) with 404, never Scenario 1's ACSC", async () => {
    const client = await partnerFor(['011104238']);
    // Scenario 1 restamped to today, keeping its UETR, which the Fed's Scenario 5 request names.
    const sent = restampPacs008(fixture(FEDNOW_SCENARIO1), { uuid: () => SCENARIO1_UETR });
    expect((await client.submitPayment(sent.body, 'application/xml')).status).toBe(202);
    await waitForXmlStatus(client, sent.refs.endToEndId ?? '', 'ACSC');
    const asIs = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml');
    // Only one reference wrong is enough: here the OrgnlCreDtTm.
    const wrongTime = statusRequestFor(sent.refs).replace(
      /<OrgnlCreDtTm>[^<]*<\/OrgnlCreDtTm>/,
      '<OrgnlCreDtTm>2023-06-04T10:55:27-04:00</OrgnlCreDtTm>',
    );
    const right = statusRequestFor(sent.refs);
    for (const body of [asIs, wrongTime]) {
      const res = await client.request('POST', '/payments/status-requests', {
        body,
        contentType: 'application/xml',
      });
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('ACSC');
    }
    // The same request with every reference right is answered.
    const res = await client.request('POST', '/payments/status-requests', {
      body: right,
      contentType: 'application/xml',
    });
    expect(res.status).toBe(200);
  });
});

describe('ISO 20022 rail rules (local stack)', () => {
  const addtlInf = (body: string) =>
    [...body.matchAll(/<(?:\w+:)?AddtlInf>([^<]*)</g)].map((m) => m[1] ?? '').join('');

  it('refuses the 2023 sample as it is (timed out, AB06) and writes nothing', async () => {
    const client = await partnerFor(['011104238']);
    const res = await client.submitPayment(fixture(FEDNOW_SCENARIO1), 'application/xml');
    expect(res.status).toBe(400);
    expect(txStatus(parsePacs002Xml(res.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'RJCT',
      reason: 'AB06',
    });
    expect(addtlInf(res.body)).toContain('GrpHdr.CreDtTm');
    const lookup = await client.request('GET', '/payments?endToEndId=Scenario01EtoEId001', {
      accept: 'application/xml',
    });
    expect(lookup.status).toBe(404);
  });

  it('accepts two different payments that both say EndToEndId NOTPROVIDED', async () => {
    const client = await partnerFor(['011104238']);
    const one = restampedFixture(FEDNOW_SCENARIO1).body.replace(
      /<EndToEndId>[^<]*</,
      '<EndToEndId>NOTPROVIDED<',
    );
    const two = restampedFixture(FEDNOW_SCENARIO1)
      .body.replace(/<EndToEndId>[^<]*</, '<EndToEndId>NOTPROVIDED<')
      .replace('>51.74<', '>12.34<');
    const a = await client.submitPayment(one, 'application/xml');
    const b = await client.submitPayment(two, 'application/xml');
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.headers.location).not.toBe(b.headers.location);
  });

  it('FedNow envelope: the same BizMsgIdr with other content is DUPL, and says so', async () => {
    const client = await partnerFor(['011104238']);
    const file = 'fednow/derived/FedNowIncoming_head.001_Scenario1_pacs.008.xml';
    const first = restampedFixture(file);
    expect((await client.submitPayment(first.body, 'application/xml')).status).toBe(202);
    const bizMsgIdr = first.refs.bizMsgIdr ?? '';
    const other = restampedFixture(file).body.replace(
      /(<AppHdr[\s\S]*?<BizMsgIdr>)[^<]*(<\/BizMsgIdr>)/,
      `$1${bizMsgIdr}$2`,
    );
    const dupl = await client.submitPayment(other, 'application/xml');
    expect(dupl.status).toBe(409);
    expect(txStatus(parsePacs002Xml(dupl.body).FIToFIPmtStsRpt)).toMatchObject({
      status: 'RJCT',
      reason: 'DUPL',
    });
    expect(addtlInf(dupl.body)).toContain(`BizMsgIdr '${bizMsgIdr}'`);
  });
});
