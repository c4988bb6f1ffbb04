/**
 * Issue 13, item 5: the contention property. One hot creditor (a merchant) credited by many debtors at
 * once, each debtor its own FIFO message group, several settle invocations in parallel (as the event
 * source mapping runs them up to its maximumConcurrency), the conflict-faithful DynamoDB layer on
 * (concurrent transactions on the merchant's account item are cancelled with TransactionConflict as on
 * AWS), multi-message FIFO batches, and no injected fault. Then, from what the tables hold:
 *
 *  - every payment settles, or is refused by a ledger rule: some debtors are funded short on purpose, and
 *    each of their refusals must be AM04 exactly where the debtor's balance, walked in FIFO order, did not
 *    cover the amount (and every settlement where it did);
 *  - no time-out (AB05 / AB06), nothing in the DLQ, nothing flagged;
 *  - every payment terminal within the SLA: its recorded settledAt / rejectedAt no later than its recorded
 *    deadline, and no more than the SLA after its createdAt (the system's own timestamps, no timing of the
 *    test itself);
 *  - the bank invariants (invariants.ts): money conserved, nothing settled twice, FIFO order per debtor.
 *
 * The figures line gives payments, the conflicts the layer raised, the settle retries they caused and
 * p50/p99 accept -> terminal from the recorded timestamps (figures, not assertions), and slowRequests: SDK
 * requests that DynamoDB Local answered after the client's request timeout (they only log on the stand-ins).
 *
 *   RTP_CONTENTION_RUNS=<n>   runs (default 1; ~20-40 s each on this machine)
 *   RTP_CONTENTION_SEED=<seed> replay (the failure message prints seed and path)
 *   RTP_CONTENTION_PATH=<path> with the seed: jump straight to the failing run
 */
import fc from 'fast-check';
import { destroyStandInClients } from '../support/stand-ins';
import { ChaosWorld, quietZombieWarnings, seededRandom, type AccountSpec, type PaymentSpec } from './harness';
import { checkInvariants, timeoutViolations, type PaymentState, type Snapshot } from './invariants';

const RUNS = Number(process.env.RTP_CONTENTION_RUNS ?? 1);
const SEED = Number(process.env.RTP_CONTENTION_SEED ?? 20_261_206);
const PATH = process.env.RTP_CONTENTION_PATH;
/** The production SLA (serverless.yml SLA_SECONDS). */
const SLA_SECONDS = 15;
const SLA_MS = SLA_SECONDS * 1000;
const MERCHANT = 'merchant';
/** Settle invocations in parallel: 3 pollers x 3 concurrent invocations each. */
const POLLERS = 3;
const CONCURRENCY = 3;

jest.setTimeout(RUNS * 75_000 + 15_000);
afterAll(() => destroyStandInClients());
const warnings = quietZombieWarnings();

interface DebtorPlan {
  /** Amounts of the debtor's payments, in submission (FIFO) order. */
  readonly amounts: readonly number[];
  /** Funded with less than the sum of its payments: some of them must be refused AM04. */
  readonly short: boolean;
}

interface ContentionPlan {
  readonly debtors: readonly DebtorPlan[];
  readonly batchSize: number;
  readonly jitterSeed: number;
}

const planArb: fc.Arbitrary<ContentionPlan> = fc.record({
  debtors: fc.array(
    fc.record({
      // 1-2 payments a debtor (50-120 into the one creditor, all sent at once): with up to 3 a
      // debtor the hot item, serialised at DynamoDB Local's speed, took p99 accept -> terminal to
      // 12.5 s of the 15 s SLA on a loaded 2-core machine. That is the hot-account limit (issue 13
      // item 3: INBOUND credit entries), not what this property is about: conflicts under
      // concurrency, settled within the SLA.
      amounts: fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 2 }),
      short: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
    { minLength: 50, maxLength: 60 },
  ),
  batchSize: fc.constantFrom(5, 10),
  jitterSeed: fc.integer(),
});

const pad = (n: number): string => String(n).padStart(2, '0');
const sum = (values: readonly number[]): number => values.reduce((total, n) => total + n, 0);

/** A short debtor gets its first payment and half of the rest; the others get everything and 1 more. */
function openingOf(plan: DebtorPlan): number {
  const [first = 0, ...rest] = plan.amounts;
  return plan.short ? first + Math.floor(sum(rest) / 2) : sum(plan.amounts) + 1;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** When a payment became terminal, from its own record. */
const terminalAt = (payment: PaymentState): string | undefined => payment.settledAt ?? payment.rejectedAt;

/**
 * The ledger rule, walked per debtor in FIFO order: each payment settles if the balance covers it, else
 * is refused AM04 (no overdraft here). Every other outcome is a violation.
 */
function ledgerRuleViolations(
  plan: ContentionPlan,
  snapshot: Snapshot,
  idsByDebtor: ReadonlyMap<string, readonly string[]>,
): string[] {
  const violations: string[] = [];
  plan.debtors.forEach((debtorPlan, d) => {
    const debtor = `debtor-${pad(d)}`;
    let balance = openingOf(debtorPlan);
    for (const id of idsByDebtor.get(debtor) ?? []) {
      const payment = snapshot.payments.get(id);
      const covered = payment !== undefined && payment.amountMinor <= balance;
      const expected = covered ? 'SETTLED' : 'REJECTED AM04';
      const actual = `${payment?.status ?? 'missing'}${payment?.rejectionCode ? ` ${payment.rejectionCode}` : ''}`;
      if (actual !== expected)
        violations.push(
          `payment ${id} of ${debtor} (${payment?.amountMinor} against a balance of ${balance}) is ${actual}, expected ${expected}`,
        );
      if (covered && payment?.status === 'SETTLED') balance -= payment.amountMinor;
    }
  });
  return violations;
}

/** Terminal within the SLA, from the recorded timestamps: no later than the deadline, nor SLA after creation. */
function slaViolations(snapshot: Snapshot): { violations: string[]; latenciesMs: number[] } {
  const violations: string[] = [];
  const latenciesMs: number[] = [];
  for (const payment of snapshot.payments.values()) {
    const at = terminalAt(payment);
    if (at === undefined) {
      violations.push(`payment ${payment.paymentId} is ${payment.status}: not terminal`);
      continue;
    }
    const latency = Date.parse(at) - Date.parse(payment.createdAt);
    latenciesMs.push(latency);
    if (payment.deadline === undefined || at > payment.deadline || latency > SLA_MS)
      violations.push(
        `payment ${payment.paymentId} terminal (${payment.status}) at ${at}, ${latency} ms after its creation ` +
          `${payment.createdAt}: past its deadline ${payment.deadline ?? '?'} or the ${SLA_MS} ms SLA`,
      );
  }
  return { violations, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

let runNumber = 0;

async function runContention(plan: ContentionPlan): Promise<void> {
  runNumber++;
  const startedAt = Date.now();
  const slowBefore = warnings.slowRequests;
  const world = await ChaosWorld.create({
    name: `contention${runNumber}`,
    batchSize: plan.batchSize,
    pollerInstances: POLLERS,
    pollerConcurrency: CONCURRENCY,
    slaSeconds: SLA_SECONDS,
    // The production function time-out (6 s): the time a settle invocation has for its batch.
    visibilityTimeoutSeconds: 6,
    random: seededRandom(plan.jitterSeed),
    // Each transaction holds its items 10 ms longer than DynamoDB Local takes: AWS's transactions take
    // tens of milliseconds, during which every other transaction on the merchant's account conflicts.
    conflicts: { transactionLatencyMs: 10 },
  });
  try {
    const accounts: AccountSpec[] = [
      { id: MERCHANT, balanceMinor: 0 },
      ...plan.debtors.map((debtor, d) => ({ id: `debtor-${pad(d)}`, balanceMinor: openingOf(debtor) })),
    ];
    await world.openAccounts(accounts);
    const chains: PaymentSpec[][] = plan.debtors.map((debtor, d) =>
      debtor.amounts.map((amountMinor, i) => ({
        id: `p${pad(d)}-${i}`,
        endToEndId: `E2E-${pad(d)}-${i}`,
        debtor: `debtor-${pad(d)}`,
        creditor: MERCHANT,
        amountMinor,
      })),
    );
    world.startConsumers();
    // Every debtor submits its payments in order (its FIFO group), all debtors at once.
    const idsByDebtor = new Map<string, string[]>();
    await Promise.all(
      chains.map(async (chain) => {
        for (const spec of chain) {
          const { payment } = await world.submit(spec);
          idsByDebtor.set(spec.debtor, [...(idsByDebtor.get(spec.debtor) ?? []), payment.paymentId]);
        }
      }),
    );
    await world.waitDrained(45_000);
    const snapshot = await world.snapshot();
    const accepted = new Set(world.sent.map((message) => message.paymentId));
    const expectations = { opening: world.opening, accepted, poison: [] };
    const sla = slaViolations(snapshot);
    const violations = [
      ...checkInvariants(snapshot, expectations),
      ...ledgerRuleViolations(plan, snapshot, idsByDebtor),
      ...timeoutViolations(snapshot, world.timeoutEvidence(snapshot)).map((v) => v.message),
      ...sla.violations,
      ...snapshot.dlq.map((message) => `in the DLQ: ${message.body.slice(0, 80)}`),
      ...[...snapshot.payments.values()].filter((p) => p.flagged).map((p) => `${p.paymentId} flagged`),
    ];
    if (accepted.size !== sum(plan.debtors.map((debtor) => debtor.amounts.length)))
      violations.push(`harness: ${accepted.size} payments enqueued of ${sum(chains.map((c) => c.length))}`);

    const stats = world.stats();
    const layer = stats.conflicts;
    const conflicts = (layer?.transactWriteConflicts ?? 0) + (layer?.singleWriteConflicts ?? 0);
    // A run the layer raised no conflict in proved nothing about contention: the harness is wrong.
    if (conflicts === 0) violations.push('harness: the conflict layer raised no conflict');
    const attempts = [...snapshot.payments.keys()].flatMap((id) => world.faults.settleAttempts(id));
    const retries = sum(attempts.map((attempt) => Math.max(0, attempt.calls - 1)));
    const settled = [...snapshot.payments.values()].filter((p) => p.status === 'SETTLED').length;
    const refused = [...snapshot.payments.values()].filter((p) => p.rejectionCode === 'AM04').length;
    process.stdout.write(
      `[contention] run ${runNumber}/${RUNS} seed=${SEED} debtors=${plan.debtors.length} payments=${snapshot.payments.size} ` +
        `settled=${settled} AM04=${refused} batch=${plan.batchSize} consumers=${POLLERS}x${CONCURRENCY} ` +
        `conflicts=${conflicts} (transactWrites ${layer?.transactWrites ?? 0}) settleAttempts=${attempts.length} retries=${retries} ` +
        `accept->terminal p50=${percentile(sla.latenciesMs, 50)}ms p99=${percentile(sla.latenciesMs, 99)}ms ` +
        `max=${sla.latenciesMs.at(-1) ?? Number.NaN}ms (SLA ${SLA_MS}ms) slowRequests=${warnings.slowRequests - slowBefore} ` +
        `violations=${violations.length} ` +
        `${((Date.now() - startedAt) / 1000).toFixed(1)}s\n`,
    );
    if (violations.length > 0) {
      const path = (PATH === undefined ? 0 : Number(PATH.split(':')[0])) + runNumber - 1;
      throw new Error(
        `run ${runNumber}: ${violations.length} violation(s):\n  ${violations.slice(0, 30).join('\n  ')}\n` +
          `replay: RTP_CONTENTION_SEED=${SEED} RTP_CONTENTION_PATH=${path}\n` +
          `last poller log lines:\n  ${world.log.lines.slice(-15).join('\n  ')}`,
      );
    }
  } finally {
    await world.stop();
  }
}

describe('contention: one hot creditor, many debtors, concurrent consumers, real transaction conflicts', () => {
  it(`every payment settles (or is refused AM04) within the SLA (${RUNS} seeded run(s), seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(planArb, runContention), {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: true,
      ...(PATH !== undefined ? { path: PATH } : {}),
    });
  });
});
