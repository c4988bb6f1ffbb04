import type { Account, JournalEntry } from '../../shared/domain/account';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { Partner } from '../../shared/domain/partner';
import type { Payment, Rejection } from '../../shared/domain/payment';
import type { PreparedRequest } from '../../shared/partner-client';
import type { SettlementMessage } from '../../shared/domain/settlement-message';

/**
 * Ports of the release hooks' use cases (release/app/): what they need of AWS and of the
 * service. release/wiring/ builds the real ones (release/aws/, the service's own adapters and
 * submit); the tests fake them, or wire the local stack's handlers in-process and DynamoDB Local.
 */

/** The functions that shift traffic through an alias, by their key in serverless.yml. */
export const PROBED_FUNCTIONS = [
  'submitPayment',
  'getPayment',
  'paymentStatusRequest',
  'settlePayment',
  'sweepDeadlines',
] as const;
export type ProbedFunction = (typeof PROBED_FUNCTIONS)[number];

export function isProbedFunction(value: string): value is ProbedFunction {
  return (PROBED_FUNCTIONS as readonly string[]).includes(value);
}

/** What an invocation returned: Lambda's `FunctionError` case is `ok: false`. */
export type InvocationResult =
  { readonly ok: true; readonly payload: unknown } | { readonly ok: false; readonly error: string };

/** Invokes one published version of a function directly (never through the alias). */
export interface FunctionInvoker {
  invoke(fn: ProbedFunction, version: string, event: unknown): Promise<InvocationResult>;
}

/** Signs a partner request (RFC 9421) as the probe partner: the PartnerClient's `prepare`. */
export interface ProbeSigner {
  prepare(
    method: string,
    path: string,
    opts?: { body?: string; contentType?: string; accept?: string },
  ): PreparedRequest;
}

/** Reads what the probed versions wrote: payments, accounts, journal lines. */
export interface LedgerReader {
  getPayment(paymentId: string): Promise<Payment | undefined>;
  getAccount(accountId: string): Promise<Account | undefined>;
  /** The journal line of `paymentId` in `accountId`, if posted. */
  getEntry(accountId: string, paymentId: string): Promise<JournalEntry | undefined>;
}

/**
 * Records probe payments directly, through the service's own submit (shared/app, bound in
 * release/wiring), WITHOUT putting them on the queue: the settle probe must be the only settler
 * of its payment (a queued one would be settled by the live alias first, and a broken new
 * version would then only see a replay).
 */
export interface ProbeRecorder {
  /** Records an ACCEPTED probe payment; returns it and the settlement message submit would have queued. */
  recordAccepted(input: {
    readonly endToEndId: string;
    readonly debtorAccount: string;
    readonly creditorAccount: string;
    readonly amountMinor: number;
  }): Promise<{ payment: Payment } & QueuedProbeMessage>;
  /** Makes a probe payment terminal (REJECTED NARR) if it is still open, so no sweep ever finds it late. */
  close(paymentId: string, why: string): Promise<void>;
}

/** The settlement message submit would have queued, and the FIFO message group it would have used. */
export interface QueuedProbeMessage {
  readonly message: SettlementMessage;
  readonly messageGroupId: string;
}

/** The probe partner, its accounts, and its per-run signing key. */
export interface ProbeFixtures {
  /**
   * Creates the probe partner, opens the given probe accounts if absent and funds them from the
   * probe's equity account by journaled transfers (never a plain put of money); never touches
   * other accounts.
   */
  ensure(accountIds: readonly string[]): Promise<void>;
  /** Registers a fresh signing key for one run. */
  issueKey(runId: string): Promise<{ signer: ProbeSigner; retire(): Promise<void> }>;
}

/** The Lambda function a CodeDeploy deployment is shifting, and the versions involved. */
export interface DeploymentTarget {
  readonly functionName: string;
  readonly alias?: string;
  readonly currentVersion?: string;
  readonly targetVersion: string;
}

export type HookStatus = 'Succeeded' | 'Failed';

export interface CodeDeployPort {
  describeTarget(deploymentId: string): Promise<DeploymentTarget>;
  /** When the deployment was created (epoch ms), if CodeDeploy says. */
  startedAt(deploymentId: string): Promise<number | undefined>;
  report(deploymentId: string, lifecycleEventHookExecutionId: string, status: HookStatus): Promise<void>;
}

/** A CloudWatch metric series, summed over a time window. */
export interface MetricQuery {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface MetricsReader {
  /** The Sum of each query's metric over [startMs, endMs] (0 where there is no data). */
  sums(queries: readonly MetricQuery[], startMs: number, endMs: number): Promise<Record<string, number>>;
}

/*
 * The narrow storage ports of the probe store (release/app/probe-store.ts): exactly what it uses
 * of the service's own DynamoDB adapters and submit, which release/wiring/pre-traffic.ts binds.
 */

/** The payments table, as the probe reads and closes its payments. */
export interface ProbePayments {
  get(paymentId: string): Promise<Payment | undefined>;
  reject(paymentId: string, rejection: Rejection, at: string): Promise<unknown>;
}

/** The ledger table, read: accounts and journal lines. */
export interface ProbeLedgerReads {
  getAccount(accountId: string): Promise<Account | undefined>;
  getEntry(accountId: string, paymentId: string): Promise<JournalEntry | undefined>;
}

/** Journaled funding of probe accounts from the probe's equity account (ledger-funding.ts). */
export interface ProbeFunding {
  /** Opens the account at 0 if absent; false if it already existed. */
  openAccount(account: {
    readonly accountId: string;
    readonly ownerPartnerId: string;
    readonly currency: CurrencyCode;
    readonly overdraftLimitMinor: number;
  }): Promise<boolean>;
  journalUnbackedBalance(input: { from: string; to: string; at: string }): Promise<unknown>;
  fund(input: {
    readonly from: string;
    readonly to: string;
    readonly minimumMinor: number;
    readonly targetMinor: number;
    readonly at: string;
  }): Promise<unknown>;
}

/** A probe signing key as the partner registry keeps it (public key only). */
export interface ProbeKeyRecord {
  readonly keyId: string;
  readonly partnerId: string;
  readonly alg: 'ed25519';
  readonly publicKeyPem: string;
  readonly status: 'ACTIVE' | 'RETIRED';
}

/** The partners table, written: the probe partner and its keys. */
export interface ProbeRegistry {
  putPartner(partner: Partner): Promise<void>;
  putKey(key: ProbeKeyRecord): Promise<void>;
}

/**
 * The service's own submit of a JSON payment as the probe partner, with a queue that keeps the
 * message instead of sending it: `queued` is absent when the payment had been recorded before.
 */
export type ProbeSubmit = (payment: {
  readonly endToEndId: string;
  readonly debtorAccount: string;
  readonly creditorAccount: string;
  readonly amountMinor: number;
  readonly currency: string;
}) => Promise<{ payment: Payment; queued?: QueuedProbeMessage }>;
