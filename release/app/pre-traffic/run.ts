import type { PreparedRequest } from '../../../shared/partner-client';
import type {
  FunctionInvoker,
  LedgerReader,
  ProbeFixtures,
  ProbeRecorder,
  ProbeSigner,
} from '../../domain/ports';
import {
  HttpResult,
  describe,
  must,
  type CheckResult,
  type ProbeTarget,
  type SteadyStateReport,
} from '../../domain/steady-state';
import { PROBE_BASE_URL, apiEvent, type ApiRoute } from '../../domain/synthetic-events';

export interface SteadyStateDeps {
  readonly invoker: FunctionInvoker;
  readonly fixtures: ProbeFixtures;
  readonly ledger: LedgerReader;
  readonly recorder: ProbeRecorder;
  /** How long the live settle consumer gets to settle the submit probe's payment (default 25 s: SLA + margin). */
  readonly liveSettleTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

/** One hook run's record: every check's verdict in the order it ran, every probe payment it created. */
export class ProbeRun {
  readonly checks: CheckResult[] = [];
  readonly paymentIds: string[] = [];
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
  private readonly recorded = new WeakSet<object>();

  constructor(
    readonly deps: SteadyStateDeps,
    readonly runId: string,
  ) {
    this.sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.log = deps.log ?? (() => undefined);
  }

  record(result: CheckResult): void {
    this.checks.push(result);
    this.log(result.ok ? 'release probe step passed' : 'release probe step FAILED', {
      runId: this.runId,
      ...result,
    });
  }

  /** Runs one named check and records its verdict; a failure is rethrown (the probe stops there). */
  async step<T>(fn: CheckResult['fn'], name: string, body: () => Promise<T>): Promise<T> {
    try {
      const value = await body();
      this.record({ fn, step: name, ok: true });
      return value;
    } catch (error) {
      this.record({ fn, step: name, ok: false, detail: describe(error) });
      if (typeof error === 'object' && error !== null) this.recorded.add(error);
      throw error;
    }
  }

  /** Whether this error is a recorded check's failure (anything else still has to be recorded). */
  failedACheck(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.recorded.has(error);
  }

  /** The report: ok when at least one check ran and every one passed (or `ok` if given). */
  report(ok = this.checks.length > 0 && this.checks.every((c) => c.ok)): SteadyStateReport {
    return { runId: this.runId, ok, checks: this.checks, paymentIds: this.paymentIds };
  }
}

/** What one function's probe checks with: the run, the version under test, the run's signing key. */
export interface ProbeContext {
  readonly run: ProbeRun;
  readonly target: ProbeTarget;
  readonly signer: ProbeSigner;
}

/** A probe's own state, passed from check to check. */
export interface ProbeState {
  /** A probe payment of this probe still open: closed (REJECTED NARR) if a later check fails. */
  open?: string;
}

/** One entry of a probe's ordered list: a named, recorded check, or an unrecorded preparation. */
export type ProbeStep<S> =
  | { readonly check: string; readonly run: (ctx: ProbeContext, state: S) => Promise<void> }
  | { readonly prepare: (ctx: ProbeContext, state: S) => void };

export interface Probe {
  run(ctx: ProbeContext): Promise<void>;
}

/** A probe that runs its steps in order, stops at the first failure and then closes its open payment. */
export function probe<S extends ProbeState>(
  start: (ctx: ProbeContext) => S,
  steps: readonly ProbeStep<S>[],
): Probe {
  return {
    async run(ctx) {
      const state = start(ctx);
      try {
        for (const step of steps) {
          if ('prepare' in step) step.prepare(ctx, state);
          else await ctx.run.step(ctx.target.fn, step.check, () => step.run(ctx, state));
        }
      } catch (error) {
        if (state.open !== undefined)
          await ctx.run.deps.recorder.close(state.open, 'release probe failed').catch(() => undefined);
        throw error;
      }
    },
  };
}

/** A value an earlier check of the same probe set (a probe stops at its first failed check). */
export function earlier<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('an earlier check of this probe did not run');
  return value;
}

/** Invokes the version under test with an event; its payload, or a failed check if it errored. */
export async function invokeTarget(ctx: ProbeContext, event: unknown): Promise<unknown> {
  const { fn, version } = ctx.target;
  const result = await ctx.run.deps.invoker.invoke(fn, version, event);
  must(result.ok, `${fn}:${version} failed: ${result.ok ? '' : result.error}`);
  return result.payload;
}

/** Sends an HTTP request to the version under test as API Gateway would; its status and body text. */
export async function invokeHttp(ctx: ProbeContext, request: PreparedRequest, route: ApiRoute) {
  const { fn, version } = ctx.target;
  const payload = await invokeTarget(ctx, apiEvent(request, route, ctx.run.runId));
  const parsed = HttpResult.safeParse(payload);
  must(parsed.success, `${fn}:${version} did not answer an HTTP response`);
  const body = parsed.data.isBase64Encoded
    ? Buffer.from(parsed.data.body ?? '', 'base64').toString('utf8')
    : (parsed.data.body ?? '');
  return { status: parsed.data.statusCode, body };
}

export function unsigned(method: string, path: string, body?: string): PreparedRequest {
  return {
    method,
    url: `${PROBE_BASE_URL}${path}`,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: Buffer.from(body) }),
  };
}

/** The request must be refused as unsigned (401). */
export async function refusesUnsigned(ctx: ProbeContext, request: PreparedRequest, route: ApiRoute) {
  const res = await invokeHttp(ctx, request, route);
  must(res.status === 401, `answered ${res.status} to an unsigned request: ${res.body.slice(0, 200)}`);
}

/** Both journal lines of a payment: `-amountMinor` in the debtor account, `amountMinor` in the creditor's. */
export async function journalOf(
  ctx: ProbeContext,
  paymentId: string,
  accounts: { readonly debtor: string; readonly creditor: string },
  amountMinor: number,
): Promise<void> {
  const { ledger } = ctx.run.deps;
  const [debit, credit] = await Promise.all([
    ledger.getEntry(accounts.debtor, paymentId),
    ledger.getEntry(accounts.creditor, paymentId),
  ]);
  must(
    debit?.amountMinor === -amountMinor,
    `debtor journal line of ${paymentId} is ${debit?.amountMinor ?? 'missing'}, expected ${-amountMinor}`,
  );
  must(
    credit?.amountMinor === amountMinor,
    `creditor journal line of ${paymentId} is ${credit?.amountMinor ?? 'missing'}, expected ${amountMinor}`,
  );
}
