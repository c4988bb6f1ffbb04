import { randomUUID } from 'node:crypto';
import type { LocalStack } from '../../tools/local/stack';
import { fixture, FEDNOW_SCENARIO1 } from '../../shared/iso20022/__fixtures__';
import { parsePacs002Xml, toPacs008Json, parsePacs008Xml, type IsoNode } from '../../shared/iso20022';
import type { PartnerClient } from '../../shared/partner-client';
import { institutionAccount, openAccount, testAdapters, testConfig } from '../support/adapters';
import {
  hmacClient,
  registerEd25519Partner,
  startTestStack,
  testPartnerRegistry,
  waitForTerminal,
} from '../support/local-stack';

/**
 * Money moves only on its owner's instruction, through the real HTTP API of the local stack with
 * the seeded demo data: the demo partner (`demo-bank`, routing number 021000021, BIC
 * DEMOUS33XXX) cannot move a cent out of an account it does not hold, by any form, and learns
 * nothing about such an account from the refusal.
 */
let stack: LocalStack;
let demo: PartnerClient;
let adapters: ReturnType<typeof testAdapters>;

beforeAll(async () => {
  stack = await startTestStack();
  demo = hmacClient(stack);
  adapters = testAdapters(testConfig());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const balance = async (id: string) => (await adapters.ledger.getAccount(id))?.balanceMinor;

function simple(debtorAccount: string, creditorAccount: string, amountMinor = 1_050, currency = 'USD') {
  return {
    endToEndId: `E2E-OWN-${randomUUID().slice(0, 20)}`,
    body: { debtorAccount, creditorAccount, amountMinor, currency },
  };
}

async function sendSimple(
  client: PartnerClient,
  debtorAccount: string,
  creditorAccount: string,
  amountMinor = 1_050,
  currency = 'USD',
) {
  const p = simple(debtorAccount, creditorAccount, amountMinor, currency);
  const res = await client.submitPayment(
    JSON.stringify({ endToEndId: p.endToEndId, ...p.body }),
    'application/json',
  );
  return { res, endToEndId: p.endToEndId };
}

/** The error part of a JSON refusal without the request id (which differs per request). */
function refusal(body: string): unknown {
  const parsed = JSON.parse(body) as { error: Record<string, unknown> };
  const { requestId: _requestId, ...rest } = parsed.error;
  return rest;
}

describe('account ownership through the HTTP API', () => {
  it('refuses the simple form debiting another bank’s account: one and the same 403, nothing written', async () => {
    // Another bank's accounts in every state: funded, empty (seeded), closed (seeded), absent, probe.
    const funded = institutionAccount('011000015', 'funded');
    await openAccount(adapters, funded, 1_000_000, { owner: 'other-bank' });
    const blocked = institutionAccount('011000015', 'blocked');
    await openAccount(adapters, blocked, 1_000_000, { owner: 'other-bank', status: 'BLOCKED' });
    const targets = [
      funded,
      blocked,
      '011000015:2000001',
      '011000015:2000009',
      '011000015:no-such-account',
      'PROBE:release-submit-debtor',
    ];
    const before = await Promise.all(targets.map(balance));
    const answers = [];
    for (const debtor of targets) {
      const { res, endToEndId } = await sendSimple(demo, debtor, '021000021:1000002');
      expect(res.status).toBe(403);
      answers.push(refusal(res.body));
      await expect(
        adapters.payments.findByReference(stack.partner.partnerId, 'endToEndId', endToEndId),
      ).resolves.toBeUndefined();
    }
    expect(answers[0]).toMatchObject({
      status: 403,
      code: 'AGNT',
      issues: [expect.objectContaining({ field: 'debtorAccount', code: 'AGNT' })],
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await Promise.all(targets.map(balance))).toEqual(before);
  });

  it('applies the partner’s limit, currencies and the account-id format to the simple form', async () => {
    const partnerId = `lim-${randomUUID().slice(0, 8)}`;
    const limited = await registerEd25519Partner(stack, testPartnerRegistry(), {
      partnerId,
      agentIds: ['026009593'],
      limitMinor: 100,
      currencies: ['USD'],
    });
    const own = institutionAccount('026009593', 'own');
    await openAccount(adapters, own, 10_000, { owner: partnerId });
    const cases: Array<[Parameters<typeof sendSimple>, string, string]> = [
      [[limited, own, '021000021:1000002', 101], 'amountMinor', 'AM02'],
      [[limited, own, '021000021:1000002', 100, 'JPY'], 'currency', 'AM03'],
      [[limited, 'usd', '021000021:1000002', 100], 'debtorAccount', 'AC02'],
      [[limited, own, ':', 100], 'creditorAccount', 'AC03'],
    ];
    for (const [args, field, code] of cases) {
      const { res } = await sendSimple(...args);
      expect(res.status).toBe(400);
      expect(refusal(res.body)).toMatchObject({ code, issues: [expect.objectContaining({ field, code })] });
    }
    const { res } = await sendSimple(limited, own, '021000021:1000002', 100);
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    await expect(waitForTerminal(limited, paymentId)).resolves.toMatchObject({ status: 'SETTLED' });
    expect(await balance(own)).toBe(9_900);
  });

  it('refuses a pacs.008 whose debtor agent is another bank, even beside the partner’s own BIC (403 RJCT AGNT)', async () => {
    // The Fed's Scenario 1 names routing number 011104238 (another bank) as debtor agent and
    // instructing agent; demo-bank adds its own BIC next to it.
    const xml = fixture(FEDNOW_SCENARIO1).replaceAll(
      /<FinInstnId>(\s*)<ClrSysMmbId>(\s*)<ClrSysId>(\s*)<Cd>USABA<\/Cd>(\s*)<\/ClrSysId>(\s*)<MmbId>011104238/g,
      '<FinInstnId><BICFI>DEMOUS33XXX</BICFI><ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>011104238',
    );
    expect(xml).toContain('<BICFI>DEMOUS33XXX</BICFI>');
    const debtor = '011104238:0031234567';
    await openAccount(adapters, debtor, 1_000_000, { owner: 'fed-sample-bank' });
    const answers: unknown[] = [];
    for (const body of [xml, xml.replace('<Id>0031234567</Id>', '<Id>9999999999</Id>')]) {
      const res = await demo.submitPayment(body, 'application/xml');
      expect(res.status).toBe(403);
      const tx = (parsePacs002Xml(res.body).FIToFIPmtStsRpt as Record<string, IsoNode>).TxInfAndSts as Record<
        string,
        IsoNode
      >;
      expect(tx.TxSts).toBe('RJCT');
      answers.push({ status: tx.TxSts, reason: tx.StsRsnInf });
    }
    expect(answers[0]).toMatchObject({ reason: { Rsn: { Cd: 'AGNT' } } });
    expect(answers[1]).toEqual(answers[0]);
    // The JSON form of the same message is refused the same way.
    const json = JSON.stringify(toPacs008Json(parsePacs008Xml(xml)));
    expect((await demo.submitPayment(json, 'application/json')).status).toBe(403);
    expect(await balance(debtor)).toBe(1_000_000);
  });

  it('the ledger refuses on its own an account of the partner’s prefix that another partner owns (AC02)', async () => {
    // Data the intake cannot see through: an account at demo-bank's routing number recorded as
    // other-bank's. The debit's condition (owner = instructing partner) stops it.
    const odd = institutionAccount('021000021', 'odd');
    await openAccount(adapters, odd, 50_000, { owner: 'other-bank' });
    const { res } = await sendSimple(demo, odd, '011000015:2000001', 500);
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    await expect(waitForTerminal(demo, paymentId)).resolves.toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'AC02', message: 'unknown debtor account' },
    });
    expect(await balance(odd)).toBe(50_000);
  });
});
