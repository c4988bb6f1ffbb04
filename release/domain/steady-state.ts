import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { PROBE_ACCOUNTS, type ProbePurpose } from './probe-identity';
import type { ProbedFunction } from './ports';

/**
 * What a steady state is, for the pre-traffic check (release/app/pre-traffic/): the report of
 * named checks and their verdicts, and the shapes a probed version must answer.
 */

export interface ProbeTarget {
  readonly fn: ProbedFunction;
  /** Published version to invoke (`$LATEST` only locally). */
  readonly version: string;
}

export interface CheckResult {
  readonly fn: ProbedFunction | 'fixtures';
  readonly step: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface SteadyStateReport {
  readonly runId: string;
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  /** Every probe payment this run created (all between probe accounts). */
  readonly paymentIds: readonly string[];
}

/** A check's verdict against the new version: its message is the failed check's detail. */
export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
}

export function must(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new ProbeFailure(detail);
}

/** A failed check's detail: a ProbeFailure's message, any other error's name and message. */
export function describe(error: unknown): string {
  if (error instanceof ProbeFailure) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What a probed HTTP function, the settle consumer and the sweeper answer. */
export const HttpResult = z.object({
  statusCode: z.number(),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});
export const PaymentJson = z.object({ paymentId: z.string(), status: z.string() });
export const BatchResponse = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
});
export const SweepResult = z.object({ sweeps: z.number(), rejected: z.number() });

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const PURPOSE_OF: Record<ProbedFunction, ProbePurpose | undefined> = {
  submitPayment: 'submit',
  getPayment: 'lookup',
  paymentStatusRequest: 'lookup',
  settlePayment: 'settle',
  sweepDeadlines: undefined,
};

/** The probe accounts the probes of these functions move (each function's purpose pair, once). */
export function probeAccountsFor(fns: readonly ProbedFunction[]): string[] {
  return [
    ...new Set(
      fns.flatMap((fn) => {
        const purpose = PURPOSE_OF[fn];
        if (purpose === undefined) return [];
        const pair = PROBE_ACCOUNTS[purpose];
        return [pair.debtor, pair.creditor];
      }),
    ),
  ];
}

/** A short id for one hook run, usable in key ids and EndToEndIds. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
