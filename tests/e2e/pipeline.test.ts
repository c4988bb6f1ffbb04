import { randomUUID } from 'node:crypto';
import { PartnerClient } from '../../shared/partner-client';
import type { LocalStack } from '../../tools/local/stack';
import { institutionAccount, openAccount, testAdapters, testConfig } from '../support/adapters';
import {
  ed25519Client,
  hmacClient,
  startTestStack,
  waitForTerminal,
  registerEd25519Partner,
  testPartnerRegistry,
} from '../support/local-stack';

/**
 * End to end through the real HTTP API of the local stack: signed partner requests, the FIFO
 * queue, the poller, settle, DynamoDB Local. Nothing is mocked.
 */
let stack: LocalStack;
let client: PartnerClient;
let adapters: ReturnType<typeof testAdapters>;

beforeAll(async () => {
  stack = await startTestStack();
  client = hmacClient(stack);
  adapters = testAdapters(testConfig());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

function payment(
  debtor: string,
  creditor: string,
  amountMinor: number,
  endToEndId = `E2E-${randomUUID().slice(0, 20)}`,
) {
  return JSON.stringify({
    endToEndId,
    debtorAccount: debtor,
    creditorAccount: creditor,
    amountMinor,
    currency: 'USD',
  });
}

async function accounts(debtorBalance: number) {
  // The debtor is the demo partner's own account (its routing number 021000021), the creditor
  // another institution's.
  const [d, c] = [institutionAccount('021000021', 'd'), institutionAccount('011000015', 'c')];
  await openAccount(adapters, d, debtorBalance, { owner: stack.partner.partnerId });
  await openAccount(adapters, c, 0, { owner: 'other-bank' });
  return [d, c] as const;
}

async function balance(id: string) {
  return (await adapters.ledger.getAccount(id))?.balanceMinor;
}

describe('payment pipeline (local stack)', () => {
  it('settles a signed payment: 202, then SETTLED, balances moved, journal balanced', async () => {
    const [d, c] = await accounts(10_000);
    const res = await client.submitPayment(payment(d, c, 1_050), 'application/json');
    expect(res.status).toBe(202);
    const accepted = JSON.parse(res.body) as { paymentId: string; status: string };
    expect(accepted.status).toBe('ACCEPTED');
    expect(res.headers.location).toBe(`/payments/${accepted.paymentId}`);

    await expect(waitForTerminal(client, accepted.paymentId)).resolves.toMatchObject({ status: 'SETTLED' });
    expect(await balance(d)).toBe(8_950);
    expect(await balance(c)).toBe(1_050);
    const journal = [...(await adapters.ledger.listEntries(d)), ...(await adapters.ledger.listEntries(c))];
    expect(journal.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);
    expect(journal).toHaveLength(2);
  });

  it('settles with an ed25519-signed request too', async () => {
    const [d, c] = await accounts(500);
    const ed = ed25519Client(stack);
    const res = await ed.submitPayment(payment(d, c, 500), 'application/json');
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    await expect(waitForTerminal(ed, paymentId)).resolves.toMatchObject({ status: 'SETTLED' });
  });

  it('rejects insufficient funds with AM04 and leaves balances untouched', async () => {
    const [d, c] = await accounts(100);
    const res = await client.submitPayment(payment(d, c, 101), 'application/json');
    expect(res.status).toBe(202);
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };
    await expect(waitForTerminal(client, paymentId)).resolves.toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'AM04' },
    });
    expect(await balance(d)).toBe(100);
    expect(await balance(c)).toBe(0);
    expect(await adapters.ledger.listEntries(d)).toHaveLength(0);
  });

  it('answers a resent payment with the original and moves the money once', async () => {
    const [d, c] = await accounts(1_000);
    const body = payment(d, c, 300);
    const first = await client.submitPayment(body, 'application/json');
    const second = await client.submitPayment(body, 'application/json');
    const id1 = (JSON.parse(first.body) as { paymentId: string }).paymentId;
    expect((JSON.parse(second.body) as { paymentId: string }).paymentId).toBe(id1);
    await waitForTerminal(client, id1);
    expect(await balance(d)).toBe(700);
  });

  it.each([
    ['malformed JSON', '{"endToEndId":', 'FF01', undefined],
    [
      'a missing field',
      JSON.stringify({
        endToEndId: 'E2E-BAD-1',
        debtorAccount: '021000021:a1',
        creditorAccount: '011000015:b1',
        currency: 'USD',
      }),
      'FF01',
      'amountMinor',
    ],
    [
      'a fractional amount',
      JSON.stringify({
        endToEndId: 'E2E-BAD-2',
        debtorAccount: '021000021:a1',
        creditorAccount: '011000015:b1',
        amountMinor: 10.5,
        currency: 'USD',
      }),
      'AM12',
      'amountMinor',
    ],
    [
      'a negative amount',
      JSON.stringify({
        endToEndId: 'E2E-BAD-3',
        debtorAccount: '021000021:a1',
        creditorAccount: '011000015:b1',
        amountMinor: -1,
        currency: 'USD',
      }),
      'AM12',
      'amountMinor',
    ],
    [
      'an unknown currency',
      JSON.stringify({
        endToEndId: 'E2E-BAD-4',
        debtorAccount: '021000021:a1',
        creditorAccount: '011000015:b1',
        amountMinor: 1,
        currency: 'ABC',
      }),
      'AM03',
      'currency',
    ],
  ])('refuses %s with 400 naming the field, writing nothing', async (_label, body, code, field) => {
    const res = await client.submitPayment(body, 'application/json');
    expect(res.status).toBe(400);
    const error = (JSON.parse(res.body) as { error: { code: string; issues?: { field: string }[] } }).error;
    expect(error.code).toBe(code);
    if (field) expect(error.issues?.map((i) => i.field)).toContain(field);
    expect(res.body).not.toMatch(/\n\s+at /);
    const e2e = /"endToEndId":"([^"]+)"/.exec(body)?.[1];
    if (e2e)
      await expect(
        adapters.payments.findByReference(stack.partner.partnerId, 'endToEndId', e2e),
      ).resolves.toBeUndefined();
  });

  it('refuses unsigned, tampered and replayed requests with 401 and writes nothing', async () => {
    const [d, c] = await accounts(1_000);
    const unsigned = await fetch(`${stack.url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payment(d, c, 1),
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('www-authenticate')).toBe('Signature error="missing_signature"');

    const prepared = client.prepare('POST', '/payments', {
      body: payment(d, c, 5),
      contentType: 'application/json',
    });
    const tampered = await fetch(prepared.url, {
      method: 'POST',
      headers: prepared.headers,
      body: payment(d, c, 5_000),
    });
    expect(tampered.status).toBe(401);

    const ok = await client.send(prepared);
    expect(ok.status).toBe(202);
    const replay = await client.send(prepared);
    expect(replay.status).toBe(401);
    expect(replay.body).toContain('replayed');

    const { paymentId } = JSON.parse(ok.body) as { paymentId: string };
    await waitForTerminal(client, paymentId);
    expect(await balance(d)).toBe(995);
  });

  it('lets a partner see only its own payments (404 as for an unknown id), throttles it, refuses it once disabled', async () => {
    const [d, c] = await accounts(1_000);
    const res = await client.submitPayment(payment(d, c, 10), 'application/json');
    const { paymentId } = JSON.parse(res.body) as { paymentId: string };

    const registry = testPartnerRegistry();
    const otherId = `other-${randomUUID().slice(0, 8)}`;
    const other = await registerEd25519Partner(stack, registry, {
      partnerId: otherId,
      name: 'Other',
      agentIds: ['011000015'],
    });

    const foreign = await other.getPayment(paymentId);
    const unknown = await other.getPayment(randomUUID());
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(foreign.body).error.code).toBe(JSON.parse(unknown.body).error.code);
    expect((await client.getPayment(paymentId)).status).toBe(200);

    // Its own rate: one request per second; a burst is refused 429 with Retry-After.
    await registry.putPartner({
      partnerId: otherId,
      name: 'Other',
      status: 'ACTIVE',
      agentIds: ['011000015'],
      currencies: ['USD'],
      rateLimitPerSecond: 1,
    });
    const burst = await Promise.all(Array.from({ length: 5 }, () => other.getPayment(randomUUID())));
    const throttled = burst.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    expect(throttled[0]?.headers['retry-after']).toBe('1');
    expect(JSON.parse(throttled[0]?.body ?? '{}').error.code).toBe('THROTTLED');

    await registry.putPartner({
      partnerId: otherId,
      name: 'Other',
      status: 'DISABLED',
      agentIds: [],
      currencies: ['USD'],
    });
    const disabled = await other.getPayment(paymentId);
    expect(disabled.status).toBe(403);
  });
});
