import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import type { LocalStack } from '../../tools/local/stack';
import { FEDNOW_SCENARIO1, restampedFixture } from '../../shared/iso20022/__fixtures__';
import { parsePacs008Xml, toPacs008Json } from '../../shared/iso20022';
import type { PartnerClient } from '../../shared/partner-client';
import { institutionAccount, openAccount, testAdapters, testConfig } from '../support/adapters';
import { registerEd25519Partner, startTestStack, testPartnerRegistry } from '../support/local-stack';

/**
 * A seeded fuzzer of signed requests through the real HTTP API of the local stack: mutated
 * simple-JSON and pacs.008 (XML and JSON) bodies, hostile characters (NUL, U+FFFE, U+FFFF,
 * U+10FFFF, emoji, lone surrogates), duplicate keys, truncation, odd media types. Every answer is
 * a well-formed refusal or acceptance, never a 500, never a stack trace; and nothing is recorded
 * for a refused request (the partner's payments in the table are exactly the accepted ones).
 * RTP_FUZZ_RUNS raises the count (default 250: a few seconds).
 */
const RUNS = Number(process.env.RTP_FUZZ_RUNS ?? 250);
const SEED = Number(process.env.RTP_FUZZ_SEED ?? 20_261_204);

let stack: LocalStack;
let client: PartnerClient;
let partnerId: string;
let own: string;
const config = testConfig();
const adapters = testAdapters(config);

beforeAll(async () => {
  stack = await startTestStack();
  partnerId = `fuzz-${randomUUID().slice(0, 8)}`;
  client = await registerEd25519Partner(stack, testPartnerRegistry(), {
    partnerId,
    agentIds: ['011104238'],
    rateLimitPerSecond: 10_000,
  });
  own = institutionAccount('011104238', 'fuzz');
  await openAccount(adapters, own, 1_000_000_00, { owner: partnerId });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const HOSTILE = ['\u0000', '\uFFFE', '\uFFFF', '\u{10FFFF}', '\u{1F600}', '\uD800', 'é', '"', '\\', '<', '&'];

function simpleBody(): Record<string, unknown> {
  return {
    endToEndId: `FZ-${randomUUID().slice(0, 20)}`,
    debtorAccount: own,
    creditorAccount: '021040078:56478374687',
    amountMinor: 1,
    currency: 'USD',
  };
}

type Mutation = (text: string, rand: () => number) => string;
const pick = <T>(items: readonly T[], rand: () => number): T => items[Math.floor(rand() * items.length)] as T;
const MUTATIONS: readonly Mutation[] = [
  (t) => t,
  (t, r) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + pick(HOSTILE, r) + t.slice(at);
  },
  (t, r) => t.slice(0, Math.floor(r() * t.length)),
  (t, r) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 8));
  },
  (t, r) => t.replace(/[0-9]/, String(Math.floor(r() * 10))),
  (t) => (t.startsWith('{') ? t.replace('{', '{"amountMinor":5,') : t),
];

async function recordedPaymentIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await adapters.clients.documents.send(
      new ScanCommand({
        TableName: config.tables.payments,
        FilterExpression: 'partnerId = :p AND sk = :payment',
        ExpressionAttributeValues: { ':p': partnerId, ':payment': 'PAYMENT' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) ids.add(String(item.paymentId));
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

describe('signed-request fuzzer through the HTTP API', () => {
  it(`answers ${RUNS} hostile requests without a 500, and records only what it accepted`, async () => {
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('simple', 'xml', 'json'),
        fc.nat({ max: MUTATIONS.length - 1 }),
        fc.constantFrom(
          'application/json',
          'application/xml',
          'text/xml',
          'application/json; charset=latin1',
          'text/plain',
        ),
        fc.integer({ min: 1, max: 2 ** 31 }),
        async (form, mutationIndex, contentType, seed) => {
          let state = seed;
          const rand = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
          const base =
            form === 'simple'
              ? JSON.stringify(simpleBody())
              : form === 'xml'
                ? restampedFixture(FEDNOW_SCENARIO1).body
                : JSON.stringify(toPacs008Json(parsePacs008Xml(restampedFixture(FEDNOW_SCENARIO1).body)));
          const body = (MUTATIONS[mutationIndex] ?? ((t: string) => t))(base, rand);
          const type = form === 'xml' && contentType === 'application/json' ? 'application/xml' : contentType;
          const res = await client.submitPayment(body, type);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).not.toBeGreaterThanOrEqual(500);
          expect(res.body).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
          expect(res.body).not.toMatch(/TypeError|ReferenceError|SyntaxError: Unexpected/);
          if (res.status === 200 || res.status === 202) {
            const id = res.headers.location?.split('/').pop();
            expect(id).toBeDefined();
            if (id) accepted.add(id);
          } else {
            expect([400, 403, 409, 413, 415]).toContain(res.status);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // Nothing is written for a refusal: the partner's recorded payments are the accepted ones.
    expect(await recordedPaymentIds()).toEqual(accepted);
    // The fuzzer reached both sides (a run that refuses or accepts everything proves little).
    expect(accepted.size).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 240_000);
});
