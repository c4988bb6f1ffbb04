/**
 * Per-payment timelines and the run's measures, from three sources:
 *  - the load generator's records (scheduled send, response, HTTP status, payment id);
 *  - the payment records read back from DynamoDB (acceptedAt; settledAt / rejectedAt, which is
 *    the moment settlement *started* working on the payment: the `at` it writes);
 *  - in-process only, the commit of each terminal transition seen by the AWS meter.
 *
 *   accept      scheduled send -> HTTP response (what the partner waits for; open loop, so
 *               generator lag counts against the pipeline, never hides it)
 *   queue wait  acceptedAt -> settle start (SQS, the poller, waiting behind a batch)
 *   settle      settle start -> terminal transaction committed
 *   end to end  acceptedAt -> terminal (committed when seen, else the record's settle start)
 *   partner     scheduled send -> terminal committed (what a partner polling for the outcome sees)
 */
import type { PaymentKind, SendRecord } from './load';
import type { PaymentRecord } from './readback';
import { distribution, type Distribution } from './stats';

export interface PaymentTimeline {
  readonly seq: number;
  readonly kind: PaymentKind;
  readonly httpStatus: number;
  readonly paymentId?: string;
  /** Seconds since the start of the measured load. */
  readonly offsetSeconds: number;
  readonly acceptMs: number;
  readonly status?: PaymentRecord['status'] | 'MISSING';
  readonly reason?: string;
  readonly queueWaitMs?: number;
  readonly settleMs?: number;
  readonly e2eMs?: number;
  readonly e2eRecordMs?: number;
  readonly partnerMs?: number;
}

export interface LoadMeasures {
  readonly window: { readonly start: number; readonly end: number; readonly seconds: number };
  readonly offered: { readonly payments: number; readonly perSecond: number };
  readonly responses: Readonly<Record<string, number>>;
  readonly accepted: number;
  /** Invalid messages refused as intended (400). */
  readonly deliberateRefusals: number;
  /**
   * Refused by the pipeline's admission control before anything was recorded (503 OVERLOADED /
   * 429 PARTNER_SHARE_EXCEEDED with Retry-After): load shed by design, not counted as errors.
   */
  readonly shedAtIntake: { readonly count: number; readonly byCode: Readonly<Record<string, number>> };
  /** Non-2xx answers (or no answer) that were not deliberate, with a few examples. */
  readonly errors: { readonly count: number; readonly examples: readonly string[] };
  readonly outcomes: {
    readonly settled: number;
    readonly rejected: number;
    readonly rejectedByReason: Readonly<Record<string, number>>;
    /** A funded payment rejected, or an unfunded one settled. */
    readonly unexpected: number;
  };
  /** Accepted (202) but still RECEIVED / ACCEPTED after the drain. */
  readonly nonTerminal: number;
  /** Accepted (202) but no payment record: lost. */
  readonly missing: number;
  readonly latencyMs: {
    readonly accept: Distribution | undefined;
    readonly queueWait: Distribution | undefined;
    readonly settle: Distribution | undefined;
    readonly endToEnd: Distribution | undefined;
    readonly endToEndRecord: Distribution | undefined;
    readonly partner: Distribution | undefined;
    readonly senderLag: Distribution | undefined;
  };
  /** How the end-to-end latency is measured in this run. */
  readonly endToEndSource: 'commit' | 'record';
  readonly throughput: {
    readonly acceptedPerSecond: number;
    /** Terminal transitions (settled + rejected) inside the load window, per second. */
    readonly terminalPerSecond: number;
    readonly settledPerSecond: number;
  };
  readonly sloBreaches: { readonly overSloSeconds: number; readonly overSlaSeconds: number };
}

export interface MeasureInput {
  readonly sends: readonly SendRecord[];
  readonly records: ReadonlyMap<string, PaymentRecord>;
  readonly commits?: ReadonlyMap<string, { readonly at: number; readonly status: string }>;
  readonly sloSeconds: number;
  readonly slaSeconds: number;
}

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

function expectedStatus(kind: PaymentKind): number {
  return kind === 'invalid' ? 400 : 202;
}

export function measure(input: MeasureInput): { measures: LoadMeasures; timelines: PaymentTimeline[] } {
  const { sends, records, commits } = input;
  const start = sends.reduce((min, s) => Math.min(min, s.intendedAt), Number.POSITIVE_INFINITY);
  const end = sends.reduce((max, s) => Math.max(max, s.intendedAt), Number.NEGATIVE_INFINITY);
  const seconds = Math.max(0.001, (end - start) / 1000);
  const responses: Record<string, number> = {};
  const rejectedByReason: Record<string, number> = {};
  const errorExamples: string[] = [];
  let errors = 0;
  let deliberateRefusals = 0;
  let shed = 0;
  const shedByCode: Record<string, number> = {};
  let accepted = 0;
  let settled = 0;
  let rejected = 0;
  let unexpected = 0;
  let nonTerminal = 0;
  let missing = 0;
  let terminalInWindow = 0;
  let settledInWindow = 0;
  const timelines: PaymentTimeline[] = [];

  for (const send of sends) {
    const key = send.status === 0 ? 'no response' : String(send.status);
    responses[key] = (responses[key] ?? 0) + 1;
    const base = {
      seq: send.seq,
      kind: send.kind,
      httpStatus: send.status,
      offsetSeconds: (send.intendedAt - start) / 1000,
      acceptMs: send.respondedAt - send.intendedAt,
    };
    if (send.shed !== undefined) {
      shed++;
      shedByCode[send.shed] = (shedByCode[send.shed] ?? 0) + 1;
    } else if (send.status !== expectedStatus(send.kind)) {
      errors++;
      if (errorExamples.length < 10)
        errorExamples.push(
          `${send.kind} payment #${send.seq}: ${key}${send.error ? ` (${send.error})` : ''}`,
        );
    }
    if (send.kind === 'invalid' && send.status === 400) deliberateRefusals++;
    if (send.status !== 202 || send.paymentId === undefined) {
      timelines.push(base);
      continue;
    }
    accepted++;
    const record = records.get(send.paymentId);
    if (record === undefined) {
      missing++;
      timelines.push({ ...base, paymentId: send.paymentId, status: 'MISSING' });
      continue;
    }
    const acceptedAt = ms(record.acceptedAt) ?? ms(record.createdAt);
    const settleStart = ms(record.settledAt ?? record.rejectedAt);
    const commit = commits?.get(send.paymentId)?.at;
    const terminal = record.status === 'SETTLED' || record.status === 'REJECTED';
    if (!terminal) nonTerminal++;
    if (record.status === 'SETTLED') settled++;
    if (record.status === 'REJECTED') {
      rejected++;
      const reason = record.rejectionCode ?? '?';
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    }
    if ((send.kind === 'nsf') !== (record.status === 'REJECTED') && terminal) unexpected++;
    const terminalAt = commit ?? settleStart;
    if (terminal && terminalAt !== undefined && terminalAt >= start && terminalAt <= end) {
      terminalInWindow++;
      if (record.status === 'SETTLED') settledInWindow++;
    }
    timelines.push({
      ...base,
      paymentId: send.paymentId,
      status: record.status,
      ...(record.rejectionCode !== undefined ? { reason: record.rejectionCode } : {}),
      ...(acceptedAt !== undefined && settleStart !== undefined
        ? { queueWaitMs: settleStart - acceptedAt, e2eRecordMs: settleStart - acceptedAt }
        : {}),
      ...(commit !== undefined && settleStart !== undefined ? { settleMs: commit - settleStart } : {}),
      ...(terminal && acceptedAt !== undefined && terminalAt !== undefined
        ? { e2eMs: terminalAt - acceptedAt }
        : {}),
      ...(commit !== undefined ? { partnerMs: commit - send.intendedAt } : {}),
    });
  }

  const pick = (f: (t: PaymentTimeline) => number | undefined) =>
    distribution(
      timelines.flatMap((t) => {
        const v = f(t);
        return v === undefined ? [] : [v];
      }),
    );
  const e2e = timelines.flatMap((t) => (t.e2eMs === undefined ? [] : [t.e2eMs]));
  return {
    timelines,
    measures: {
      window: { start, end, seconds },
      offered: { payments: sends.length, perSecond: sends.length / seconds },
      responses,
      accepted,
      deliberateRefusals,
      shedAtIntake: { count: shed, byCode: shedByCode },
      errors: { count: errors, examples: errorExamples },
      outcomes: { settled, rejected, rejectedByReason, unexpected },
      nonTerminal,
      missing,
      latencyMs: {
        accept: pick((t) => t.acceptMs),
        queueWait: pick((t) => t.queueWaitMs),
        settle: pick((t) => t.settleMs),
        endToEnd: distribution(e2e),
        endToEndRecord: pick((t) => t.e2eRecordMs),
        partner: pick((t) => t.partnerMs),
        senderLag: distribution(sends.map((s) => s.sentAt - s.intendedAt)),
      },
      endToEndSource: commits !== undefined && commits.size > 0 ? 'commit' : 'record',
      throughput: {
        acceptedPerSecond: accepted / seconds,
        terminalPerSecond: terminalInWindow / seconds,
        settledPerSecond: settledInWindow / seconds,
      },
      sloBreaches: {
        overSloSeconds: e2e.filter((v) => v > input.sloSeconds * 1000).length,
        overSlaSeconds: e2e.filter((v) => v > input.slaSeconds * 1000).length,
      },
    },
  };
}
