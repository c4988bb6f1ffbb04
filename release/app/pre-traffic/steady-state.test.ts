import { generateKeyPairSync } from 'node:crypto';
import type { Account, JournalEntry } from '../../../shared/domain/account';
import type { CurrencyCode } from '../../../shared/domain/currency';
import type { Payment } from '../../../shared/domain/payment';
import { PartnerClient } from '../../../shared/partner-client';
import type {
  FunctionInvoker,
  InvocationResult,
  LedgerReader,
  ProbeFixtures,
  ProbeRecorder,
  ProbedFunction,
} from '../../domain/ports';
import { PROBE_ACCOUNTS, PROBE_OPENING_BALANCE_MINOR, PROBE_PARTNER } from '../../domain/probe-identity';
import { checkSteadyState } from './steady-state';
import { PROBE_BASE_URL } from '../../domain/synthetic-events';
import { toSettlementMessage } from '../../../shared/domain/settlement-message';
import type { SettlementMessage } from '../../../shared/domain/settlement-message';

/** In-memory stand-ins of the hook's ports: the behaviour against real handlers is in tests/integration/release-hook.test.ts. */
class FakeWorld implements LedgerReader, ProbeRecorder, ProbeFixtures {
  readonly accounts = new Map<string, Account>();
  readonly payments = new Map<string, Payment>();
  readonly entries = new Map<string, JournalEntry>();
  readonly closed: string[] = [];
  retired = 0;

  async getPayment(id: string) {
    return this.payments.get(id);
  }
  async getAccount(id: string) {
    return this.accounts.get(id);
  }
  async getEntry(accountId: string, paymentId: string) {
    return this.entries.get(`${accountId}|${paymentId}`);
  }
  async recordAccepted(input: {
    endToEndId: string;
    debtorAccount: string;
    creditorAccount: string;
    amountMinor: number;
  }) {
    const payment: Payment = {
      paymentId: `p-${this.payments.size + 1}`,
      partnerId: PROBE_PARTNER.partnerId,
      status: 'ACCEPTED',
      references: { endToEndId: input.endToEndId },
      debtorAccount: input.debtorAccount,
      creditorAccount: input.creditorAccount,
      amount: { amountMinor: input.amountMinor, currency: 'USD' as CurrencyCode },
      source: 'json',
      contentHash: 'h',
      createdAt: new Date().toISOString(),
      acceptedAt: new Date().toISOString(),
      deadline: new Date(Date.now() + 15_000).toISOString(),
      version: 2,
    };
    this.payments.set(payment.paymentId, payment);
    const message: SettlementMessage = toSettlementMessage(payment, payment.acceptedAt ?? '');
    return { payment, message, messageGroupId: 'probe-group' };
  }
  async close(paymentId: string) {
    const payment = this.payments.get(paymentId);
    if (payment && (payment.status === 'ACCEPTED' || payment.status === 'RECEIVED')) {
      this.payments.set(paymentId, {
        ...payment,
        status: 'REJECTED',
        rejection: { code: 'NARR', message: 'closed' },
      });
      this.closed.push(paymentId);
    }
  }
  async ensure(accountIds: readonly string[]) {
    for (const accountId of accountIds) {
      if (this.accounts.has(accountId)) continue;
      this.accounts.set(accountId, {
        accountId,
        ownerPartnerId: PROBE_PARTNER.partnerId,
        currency: 'USD' as CurrencyCode,
        status: 'OPEN',
        balanceMinor: PROBE_OPENING_BALANCE_MINOR,
        overdraftLimitMinor: 0,
        version: 0,
      });
    }
  }
  async issueKey(runId: string) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const client = new PartnerClient({
      baseUrl: PROBE_BASE_URL,
      keyId: `release-probe-${runId}`,
      alg: 'ed25519',
      privateKey,
    });
    return {
      signer: { prepare: client.prepare.bind(client) },
      retire: async () => {
        this.retired++;
      },
    };
  }
}

class FakeInvoker implements FunctionInvoker {
  readonly calls: ProbedFunction[] = [];
  constructor(
    private readonly answers: Partial<Record<ProbedFunction, (event: unknown) => InvocationResult>>,
  ) {}
  async invoke(fn: ProbedFunction, _version: string, event: unknown): Promise<InvocationResult> {
    this.calls.push(fn);
    const answer = this.answers[fn];
    return answer ? answer(event) : { ok: false, error: 'ResourceNotFound' };
  }
}

function deps(world: FakeWorld, invoker: FunctionInvoker) {
  return {
    invoker,
    fixtures: world,
    ledger: world,
    recorder: world,
    sleep: async () => undefined,
    liveSettleTimeoutMs: 10,
  };
}

describe('checkSteadyState (ports faked)', () => {
  it('refuses to run when a probe account belongs to someone else, invoking nothing', async () => {
    const world = new FakeWorld();
    world.accounts.set(PROBE_ACCOUNTS.settle.debtor, {
      accountId: PROBE_ACCOUNTS.settle.debtor,
      ownerPartnerId: 'demo-bank',
      currency: 'USD' as CurrencyCode,
      status: 'OPEN',
      balanceMinor: 5,
      overdraftLimitMinor: 0,
      version: 3,
    });
    const invoker = new FakeInvoker({});
    const report = await checkSteadyState(deps(world, invoker), [{ fn: 'settlePayment', version: '7' }]);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      expect.objectContaining({
        fn: 'fixtures',
        ok: false,
        detail: expect.stringContaining('belongs to demo-bank'),
      }),
    ]);
    expect(invoker.calls).toEqual([]);
  });

  it('fails when the new settle reports the probe record as a batch item failure, and closes the probe payment', async () => {
    const world = new FakeWorld();
    const invoker = new FakeInvoker({
      settlePayment: (event) => {
        const id = (event as { Records: { messageId: string }[] }).Records[0]?.messageId ?? '';
        return { ok: true, payload: { batchItemFailures: [{ itemIdentifier: id }] } };
      },
    });
    const report = await checkSteadyState(deps(world, invoker), [{ fn: 'settlePayment', version: '7' }]);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => !c.ok)).toMatchObject({
      fn: 'settlePayment',
      step: 'settles an SQS batch with the probe payment',
    });
    expect(world.closed).toEqual(report.paymentIds);
    expect(world.payments.get(report.paymentIds[0] ?? '')?.status).toBe('REJECTED');
    expect(world.retired).toBe(1);
  });

  it('fails when the new submit refuses the signed test payment, and goes on probing the other functions', async () => {
    const world = new FakeWorld();
    const invoker = new FakeInvoker({
      submitPayment: (event) => {
        const signed = 'signature' in ((event as { headers: Record<string, string> }).headers ?? {});
        return {
          ok: true,
          payload: { statusCode: signed ? 500 : 401, body: '{"error":{"code":"INTERNAL"}}' },
        };
      },
      sweepDeadlines: () => ({ ok: true, payload: { sweeps: 1, rejected: 0 } }),
    });
    const report = await checkSteadyState(deps(world, invoker), [
      { fn: 'submitPayment', version: '4' },
      { fn: 'sweepDeadlines', version: '9' },
    ]);
    expect(report.ok).toBe(false);
    const steps = report.checks.map((c) => `${c.fn}: ${c.step}: ${c.ok}`);
    expect(steps).toContain('submitPayment: refuses an unsigned request (401): true');
    expect(steps).toContain('submitPayment: accepts a signed test payment (202 ACCEPTED): false');
    expect(steps).toContain('sweepDeadlines: runs a sweep to completion: true');
    expect(invoker.calls).toEqual(['submitPayment', 'submitPayment', 'sweepDeadlines']);
  });

  it('fails a function that errors, and passes a healthy sweeper', async () => {
    const world = new FakeWorld();
    const failing = await checkSteadyState(
      deps(world, new FakeInvoker({ sweepDeadlines: () => ({ ok: false, error: 'Unhandled: boom' }) })),
      [{ fn: 'sweepDeadlines', version: '9' }],
    );
    expect(failing.ok).toBe(false);
    expect(failing.checks.at(-2)).toMatchObject({
      ok: false,
      detail: expect.stringContaining('Unhandled: boom'),
    });
    const healthy = await checkSteadyState(
      deps(
        world,
        new FakeInvoker({ sweepDeadlines: () => ({ ok: true, payload: { sweeps: 2, rejected: 0 } }) }),
      ),
      [{ fn: 'sweepDeadlines', version: '9' }],
    );
    expect(healthy.ok).toBe(true);
  });
});
