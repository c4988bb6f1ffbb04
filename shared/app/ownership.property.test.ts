/**
 * Seeded property: random partners and accounts (own, foreign, closed, blocked, empty, absent,
 * PROBE) and every intake form (simple JSON, pacs.008 XML, pacs.008 JSON). Money leaves only
 * accounts the caller owns; the refusal for a foreign debtor account is one and the same within a
 * form whatever that account's state; nothing is written or queued for it. Runs the real intake
 * use cases and the settlement use case on the in-memory fakes (the DynamoDB ledger is checked
 * against the same rules in tests/integration/ledger-ownership.test.ts).
 */
import fc from 'fast-check';
import { ValidationError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import { settlePayment } from './settle';
import { submitPayment } from './submit';
import { fixture, FEDNOW_SCENARIO1 } from '../iso20022/__fixtures__';
import { parsePacs008Xml, toPacs008Json } from '../iso20022';
import { USD } from '../testing/builders';
import { FakeClock, FakeLedger, FakePaymentStore, FakeQueue } from '../testing/fakes';
import { restampPacs008 } from '../iso20022/restamp';
import { submitIso } from '../testing/intake';
import { httpStatusOf } from '../edges/http/errors';
import { parseJsonPayment } from './json-payment';

const PARTNERS: readonly Partner[] = [
  {
    partnerId: 'bank-a',
    name: 'A',
    status: 'ACTIVE',
    agentIds: ['021000021', '026009593'],
    currencies: ['USD'],
  },
  { partnerId: 'bank-b', name: 'B', status: 'ACTIVE', agentIds: ['011000015'], currencies: ['USD'] },
  { partnerId: 'bank-c', name: 'C', status: 'ACTIVE', agentIds: ['011104238'], currencies: ['USD'] },
];
const OWNER_OF: Record<string, string> = {
  '021000021': 'bank-a',
  '026009593': 'bank-a',
  '011000015': 'bank-b',
  '011104238': 'bank-c',
  PROBE: 'release-probe',
};
type AccountState = 'funded' | 'empty' | 'closed' | 'blocked' | 'absent';
const STATE_OF: Record<string, AccountState> = {
  '1001': 'funded',
  '1002': 'empty',
  '1003': 'closed',
  '1004': 'blocked',
  '1005': 'absent',
};
const FUNDED = 1_000_000;
const AMOUNT = 5_174; // the sample's 51.74

const institutions = Object.keys(OWNER_OF);
const routingNumbers = institutions.filter((i) => i !== 'PROBE');
const accountIds = [
  ...routingNumbers.flatMap((inst) => Object.keys(STATE_OF).map((n) => `${inst}:${n}`)),
  'PROBE:release-submit-debtor',
];

// The sample restamped to a business day (Wednesday 10:00 ET); the intake's clock a second later.
const SENT_AT = Date.parse('2026-11-18T15:00:00.000Z');
const SAMPLE = restampPacs008(fixture(FEDNOW_SCENARIO1), { now: SENT_AT }).body;
const SAMPLE_NOW = SENT_AT + 1_000;

function pacs008(n: number, instructing: string, debtor: string, creditor: string): string {
  const [dInst, dAcct] = debtor.split(':') as [string, string];
  const [cInst, cAcct] = creditor.split(':') as [string, string];
  const ref = `P${String(n).padStart(8, '0')}`;
  return SAMPLE.replace(/<MsgId>[^<]*<\/MsgId>/, `<MsgId>20261118${instructing}${ref}</MsgId>`)
    .replace(/<InstrId>[^<]*<\/InstrId>/, `<InstrId>I${ref}</InstrId>`)
    .replace(/<EndToEndId>[^<]*<\/EndToEndId>/, `<EndToEndId>E${ref}</EndToEndId>`)
    .replace(/<UETR>[^<]*<\/UETR>/, '')
    .replace(/(<InstgAgt>[\s\S]*?<MmbId>)[0-9]{9}/, `$1${instructing}`)
    .replace(/(<DbtrAgt>[\s\S]*?<MmbId>)[0-9]{9}/, `$1${dInst}`)
    .replace(/(<CdtrAgt>[\s\S]*?<MmbId>)[0-9]{9}/, `$1${cInst}`)
    .replace(/(<DbtrAcct>[\s\S]*?<Id>\s*<Othr>\s*<Id>)[^<]*/, `$1${dAcct}`)
    .replace(/(<CdtrAcct>[\s\S]*?<Id>\s*<Othr>\s*<Id>)[^<]*/, `$1${cAcct}`);
}

type Form = 'simple' | 'pacs008-xml' | 'pacs008-json';

interface Attempt {
  readonly form: Form;
  readonly caller: Partner;
  readonly debtor: string;
  readonly creditor: string;
}

const attemptArb: fc.Arbitrary<Attempt> = fc
  .record({
    form: fc.constantFrom<Form>('simple', 'pacs008-xml', 'pacs008-json'),
    caller: fc.constantFrom(...PARTNERS),
    debtor: fc.constantFrom(...accountIds),
    creditor: fc.constantFrom(...accountIds),
  })
  // pacs.008 agents are routing numbers: PROBE accounts are named through the simple form only.
  .filter((a) => a.form === 'simple' || (!a.debtor.startsWith('PROBE') && !a.creditor.startsWith('PROBE')))
  .filter((a) => a.debtor !== a.creditor);

function setup() {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const ledger = new FakeLedger(store);
  const clock = new FakeClock(SAMPLE_NOW);
  for (const id of accountIds) {
    const [inst, number] = id.split(':') as [string, string];
    const state = STATE_OF[number] ?? 'funded';
    if (state === 'absent') continue;
    ledger.open({
      accountId: id,
      ownerPartnerId: OWNER_OF[inst] ?? 'nobody',
      currency: USD,
      status: state === 'closed' ? 'CLOSED' : state === 'blocked' ? 'BLOCKED' : 'OPEN',
      balanceMinor: state === 'empty' ? 0 : FUNDED,
      overdraftLimitMinor: 0,
    });
  }
  return { store, queue, ledger, clock, deps: { store, queue, clock, slaSeconds: 15 } };
}

/** One submission as the submit handler runs it; the refusal's partner-visible signature. */
async function submit(
  world: ReturnType<typeof setup>,
  a: Attempt,
  n: number,
): Promise<{ accepted: boolean; refusal?: string }> {
  if (a.form === 'simple') {
    try {
      const body = {
        endToEndId: `E2E-${n}`,
        debtorAccount: a.debtor,
        creditorAccount: a.creditor,
        amountMinor: AMOUNT,
        currency: 'USD',
      };
      await submitPayment(parseJsonPayment(body, a.caller), world.deps);
      return { accepted: true };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return {
        accepted: false,
        refusal: JSON.stringify([httpStatusOf(error), error.code, error.message, error.issues]),
      };
    }
  }
  const instructing = a.caller.agentIds[0] ?? '';
  const xml = pacs008(n, instructing, a.debtor, a.creditor);
  const body = a.form === 'pacs008-xml' ? xml : JSON.stringify(toPacs008Json(parsePacs008Xml(xml)));
  const outcome = await submitIso(
    {
      body: Buffer.from(body),
      contentType: a.form === 'pacs008-xml' ? 'application/xml' : 'application/json',
      partner: a.caller,
    },
    world.deps,
  );
  if (outcome.httpStatus === 202) return { accepted: true };
  const info = /<AddtlInf>([^<]*)<\/AddtlInf>|"AddtlInf":(\[[^\]]*\]|"[^"]*")/.exec(outcome.body);
  return {
    accepted: false,
    refusal: JSON.stringify([outcome.httpStatus, outcome.reasonCode, info?.[1] ?? info?.[2]]),
  };
}

describe('ownership across every intake form (seeded property)', () => {
  it('moves money only out of accounts the caller owns, refusing the rest identically and writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attemptArb, { minLength: 5, maxLength: 25 }), async (attempts) => {
        const world = setup();
        const refusals = new Map<Form, Set<string>>();
        for (const [n, a] of attempts.entries()) {
          const owned = a.caller.agentIds.includes(a.debtor.split(':')[0] ?? '');
          const writtenBefore = world.store.payments.size;
          const queuedBefore = world.queue.messages.length;
          const result = await submit(world, a, n);
          if (owned && a.creditor.startsWith('PROBE:')) {
            // Probe accounts take no real partner's money either.
            expect(result.accepted).toBe(false);
            expect(world.store.payments.size).toBe(writtenBefore);
            continue;
          }
          if (owned) {
            expect(result).toEqual({ accepted: true });
            continue;
          }
          expect(result.accepted).toBe(false);
          expect(world.store.payments.size).toBe(writtenBefore);
          expect(world.queue.messages.length).toBe(queuedBefore);
          const seen = refusals.get(a.form) ?? new Set<string>();
          seen.add(result.refusal ?? '');
          refusals.set(a.form, seen);
        }
        // One refusal per form for every foreign debtor account, whatever its state.
        for (const [form, seen] of refusals) {
          expect({ form, refusals: [...seen] }).toEqual({
            form,
            refusals: [expect.stringContaining('AGNT')],
          });
        }
        for (const message of world.queue.messages) {
          await settlePayment(message, {
            ledger: world.ledger,
            store: world.store,
            clock: world.clock,
            retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
            retryEnv: { sleep: async () => undefined, random: () => 0 },
          });
        }
        // Every debit was instructed by the debtor account's owner.
        for (const entry of world.ledger.entries.filter((e) => e.amountMinor < 0)) {
          const payment = world.store.payments.get(entry.paymentId);
          expect(payment?.partnerId).toBe((await world.ledger.getAccount(entry.accountId))?.ownerPartnerId);
        }
        // Nobody else's account lost a cent.
        for (const id of accountIds) {
          const account = await world.ledger.getAccount(id);
          if (!account) continue;
          const debited = world.ledger.entries.some((e) => e.accountId === id && e.amountMinor < 0);
          if (debited) continue;
          expect(account.balanceMinor).toBeGreaterThanOrEqual(
            STATE_OF[id.split(':')[1] ?? ''] === 'empty' ? 0 : FUNDED,
          );
        }
      }),
      { seed: 20_261_204, numRuns: 60 },
    );
  });
});
