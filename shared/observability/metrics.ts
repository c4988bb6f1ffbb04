import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { metrics as sharedMetrics } from './powertools';

/**
 * The pipeline's business and SLA metrics: names, dimensions and the small typed helpers the
 * handlers call. Emitted as CloudWatch EMF by Powertools Metrics (namespace RtpPipeline) and
 * flushed at the end of each invocation by the logMetrics middleware.
 *
 * Dimensions: every metric carries `service` and `stage` (defaults set in powertools.ts); that
 * aggregate series is what the alarms and the dashboard watch. Metrics with a breakdown
 * (reason code, signature failure reason, replay source) are ALSO emitted once more with that
 * one extra dimension, as a single-metric EMF document of their own: a dimension added with
 * addDimension(s) would apply to every metric of the invocation's flush.
 */
export const METRICS_NAMESPACE = 'RtpPipeline';

export const MetricNames = {
  /** A new payment recorded and queued (submit, 202). */
  PaymentsAccepted: 'PaymentsAccepted',
  /** A submission refused before anything was recorded (400 / 409 / 413 / 415); by `reasonCode`. */
  PaymentsRefusedAtIntake: 'PaymentsRefusedAtIntake',
  /**
   * A submission refused by admission control before anything was recorded (503 / 429 with
   * Retry-After: the settlement backlog would not settle it within the SLA); by `reason`
   * (overloaded | partner_share).
   */
  PaymentsShedAtIntake: 'PaymentsShedAtIntake',
  /** Admission control could not read the queue backlog and admitted without it (fail open). */
  AdmissionSignalUnavailable: 'AdmissionSignalUnavailable',
  /** A payment settled (settle, first time only). */
  PaymentsSettled: 'PaymentsSettled',
  /** A payment made terminal REJECTED (settle: AC0x, AM0x, AB06; sweeper: AB05); by `reasonCode`. */
  PaymentsRejected: 'PaymentsRejected',
  /** acceptedAt -> terminal status, ms (settle, first time only). */
  EndToEndLatency: 'EndToEndLatency',
  /** SQS SentTimestamp -> settle starts on the record, ms (every delivery). */
  QueueWaitTime: 'QueueWaitTime',
  /** Terminal after the deadline, or rejected for a time-out (AB05 / AB06). */
  SlaBreaches: 'SlaBreaches',
  /** The same payment again: a resent submission (submit) or an already terminal settlement (settle); by `source`. */
  IdempotentReplays: 'IdempotentReplays',
  /** A partner request refused by RFC 9421 verification; by `reason`. */
  SignatureFailures: 'SignatureFailures',
  /** A partner request refused by the per-partner rate limit (429). */
  PartnerThrottles: 'PartnerThrottles',
  /**
   * A settlement message is moving to the DLQ: it failed its last allowed receive, or it is poison
   * and settle sent it there at once (also counted in PoisonMessagesDeadLettered).
   */
  DlqArrivals: 'DlqArrivals',
  /**
   * A settlement message that can never succeed, sent to the DLQ by settle at once (the rest of its
   * message group goes on); by `reason` (malformed-message | unreconcilable | client-error).
   */
  PoisonMessagesDeadLettered: 'PoisonMessagesDeadLettered',
  /** Payments the deadline sweeper rejected (AB05), per sweeper invocation (0 included). */
  PaymentsTimedOut: 'PaymentsTimedOut',
  /** Payments past their deadline the sweeper failed to reject (it went on), per invocation (0 included). */
  SweepFailures: 'SweepFailures',
} as const;
export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];

export const BreakdownDimensions = {
  reasonCode: 'reasonCode',
  reason: 'reason',
  source: 'source',
} as const;

/** Reason codes that mean the payment timed out in the pipeline. */
export const TIMEOUT_REASON_CODES: readonly string[] = ['AB05', 'AB06'];

export interface SettlementOutcome {
  readonly status: 'SETTLED' | 'REJECTED';
  readonly reasonCode?: string;
  /** The payment was already terminal: nothing happened this time. */
  readonly replay: boolean;
  /** From the settlement message. */
  readonly acceptedAt: string;
  readonly deadline: string;
  /** When settle saw the outcome (epoch ms). */
  readonly terminalAtMs: number;
}

/** An outcome breaches the SLA when it came after the deadline or is a time-out rejection. */
export function slaBreached(
  outcome: Pick<SettlementOutcome, 'reasonCode' | 'deadline' | 'terminalAtMs'>,
): boolean {
  if (outcome.reasonCode !== undefined && TIMEOUT_REASON_CODES.includes(outcome.reasonCode)) return true;
  const deadline = Date.parse(outcome.deadline);
  return Number.isFinite(deadline) && outcome.terminalAtMs > deadline;
}

/** Dimension values come from closed sets; anything else is folded so cardinality stays bounded. */
export function dimensionValue(value: string | undefined): string {
  return value !== undefined && /^[A-Za-z0-9_.-]{1,32}$/.test(value) ? value : 'other';
}

export interface PipelineMetrics {
  paymentAccepted(): void;
  intakeRefusal(reasonCode: string | undefined): void;
  paymentShed(reason: 'overloaded' | 'partner_share'): void;
  admissionSignalUnavailable(): void;
  idempotentReplay(source: 'submit' | 'settle'): void;
  signatureFailure(reason: string): void;
  partnerThrottled(): void;
  settlementOutcome(outcome: SettlementOutcome): void;
  queueWait(ms: number): void;
  dlqArrival(): void;
  poisonDeadLettered(reason: string): void;
  paymentsTimedOut(count: number): void;
  sweepFailures(count: number): void;
}

export function createPipelineMetrics(metrics: Metrics): PipelineMetrics {
  const count = (name: MetricName, value = 1) => metrics.addMetric(name, MetricUnit.Count, value);
  const countWithBreakdown = (name: MetricName, dimension: string, value: string | undefined, n = 1) => {
    count(name, n);
    metrics
      .singleMetric()
      .addDimension(dimension, dimensionValue(value))
      .addMetric(name, MetricUnit.Count, n);
  };
  const milliseconds = (name: MetricName, ms: number) => {
    if (Number.isFinite(ms)) metrics.addMetric(name, MetricUnit.Milliseconds, Math.max(0, Math.round(ms)));
  };
  const api: PipelineMetrics = {
    paymentAccepted: () => count(MetricNames.PaymentsAccepted),
    intakeRefusal: (reasonCode) =>
      countWithBreakdown(MetricNames.PaymentsRefusedAtIntake, BreakdownDimensions.reasonCode, reasonCode),
    paymentShed: (reason) =>
      countWithBreakdown(MetricNames.PaymentsShedAtIntake, BreakdownDimensions.reason, reason),
    admissionSignalUnavailable: () => count(MetricNames.AdmissionSignalUnavailable),
    idempotentReplay: (source) =>
      countWithBreakdown(MetricNames.IdempotentReplays, BreakdownDimensions.source, source),
    signatureFailure: (reason) =>
      countWithBreakdown(MetricNames.SignatureFailures, BreakdownDimensions.reason, reason),
    partnerThrottled: () => count(MetricNames.PartnerThrottles),
    settlementOutcome: (outcome) => {
      if (outcome.replay) {
        api.idempotentReplay('settle');
        return;
      }
      if (outcome.status === 'SETTLED') count(MetricNames.PaymentsSettled);
      else
        countWithBreakdown(MetricNames.PaymentsRejected, BreakdownDimensions.reasonCode, outcome.reasonCode);
      milliseconds(MetricNames.EndToEndLatency, outcome.terminalAtMs - Date.parse(outcome.acceptedAt));
      if (slaBreached(outcome)) count(MetricNames.SlaBreaches);
    },
    queueWait: (ms) => milliseconds(MetricNames.QueueWaitTime, ms),
    dlqArrival: () => count(MetricNames.DlqArrivals),
    poisonDeadLettered: (reason) => {
      count(MetricNames.DlqArrivals);
      countWithBreakdown(MetricNames.PoisonMessagesDeadLettered, BreakdownDimensions.reason, reason);
    },
    paymentsTimedOut: (n) => {
      count(MetricNames.PaymentsTimedOut, n);
      if (n > 0) {
        countWithBreakdown(MetricNames.PaymentsRejected, BreakdownDimensions.reasonCode, 'AB05', n);
        count(MetricNames.SlaBreaches, n);
      }
    },
    sweepFailures: (n) => count(MetricNames.SweepFailures, n),
  };
  return api;
}

/** The helpers on the process-wide Metrics instance (flushed by each handler's logMetrics). */
export const pipelineMetrics: PipelineMetrics = createPipelineMetrics(sharedMetrics);
