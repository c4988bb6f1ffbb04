/**
 * Admission control tied to the SLA: intake refuses, before recording anything, a payment the
 * pipeline cannot settle in time. Pure policy (decideAdmission) plus a small stateful gate
 * (AdmissionGate) that feeds it the backlog signal through a port.
 *
 * Signal: the settlement queue's depth, messages waiting + in flight (SQS
 * ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible), sampled at most once a
 * second per container, plus the payments this container admitted since that sample (the sample
 * cannot show them yet).
 *
 * Estimate: a new payment waits (depth + 1) / capacity seconds before settle reaches it, where
 * capacity is the settle rate the deployment sustains (param settleCapacityPerSecond, per stage).
 *
 * Rule, with budget = the wait a new payment may have and still be terminal within the SLO
 * (param admissionBudgetSeconds: SLO 10 s minus the settle time itself):
 *   wait <= budget x pressureFraction          -> admit (no pressure)
 *   wait  > budget                             -> refuse everyone: 503 OVERLOADED,
 *                                                 Retry-After = ceil(wait - budget)
 *   in between (pressure)                      -> fair share: each partner seen in the last
 *                                                 activeWindow gets capacity / active partners
 *                                                 per second (a token bucket per partner per
 *                                                 container, burst = share x burstSeconds, >= 1);
 *                                                 a partner out of tokens gets 429
 *                                                 PARTNER_SHARE_EXCEEDED, Retry-After = time to
 *                                                 its next token.
 * Retry-After is always a whole number of seconds in [1, maxRetryAfterSeconds].
 *
 * The buckets are per container: with N warm submit containers a partner may get up to N
 * shares in the pressure band; the hard refusal above the budget, which reads the shared queue,
 * holds whatever N is.
 *
 * Capacity refined from observed throughput (optional, `observeDrain`): between two samples
 * while the queue stayed non-empty, drained = previous depth + this container's admissions
 * since - current depth; the capacity used is min(configured, EWMA of drained / interval). Exact
 * with one submit container (the local stack); with several it undercounts arrivals and so
 * underestimates the drain (sheds more than needed), hence off on the AWS stages.
 */

export interface AdmissionSettings {
  /** Settled payments per second the deployment sustains (> 0). */
  readonly capacityPerSecond: number;
  /** Seconds a new payment may wait on the queue and still settle within the SLO (> 0). */
  readonly budgetSeconds: number;
  /** Share of the budget above which fair shares apply (0..1). */
  readonly pressureFraction: number;
  readonly maxRetryAfterSeconds: number;
  /** A partner counts as active this long after its last submission. */
  readonly activeWindowMs: number;
  /** Bucket size in seconds of a partner's share. */
  readonly burstSeconds: number;
}

export const DEFAULT_ADMISSION: Omit<AdmissionSettings, 'capacityPerSecond' | 'budgetSeconds'> & {
  readonly drainSmoothing: number;
  readonly minCapacityPerSecond: number;
} = {
  drainSmoothing: 0.3,
  minCapacityPerSecond: 0.5,
  pressureFraction: 0.5,
  maxRetryAfterSeconds: 30,
  activeWindowMs: 10_000,
  burstSeconds: 1,
};

/** The backlog of the settlement queue as last sampled. */
export interface BacklogSignal {
  /** Messages waiting (visible). */
  readonly waiting: number;
  /** Messages received by settle and not yet deleted. */
  readonly inFlight: number;
  /** When the sample was taken (epoch ms): a new sample resets the local admissions count. */
  readonly sampledAtMs: number;
}

/** Port: reads the backlog; undefined when it cannot be read (the gate then fails open). */
export interface BacklogProbe {
  backlog(): Promise<BacklogSignal | undefined>;
}

interface PartnerBucket {
  readonly tokens: number;
  readonly refilledAtMs: number;
  readonly lastSeenMs: number;
}

export interface AdmissionState {
  readonly partners: ReadonlyMap<string, PartnerBucket>;
  /** Sample the count below is relative to. */
  readonly sampleAtMs: number;
  /** Payments admitted by this container since that sample. */
  readonly admittedSinceSample: number;
}

export const INITIAL_ADMISSION_STATE: AdmissionState = {
  partners: new Map(),
  sampleAtMs: Number.NEGATIVE_INFINITY,
  admittedSinceSample: 0,
};

export type AdmissionDecision =
  | { readonly admit: true; readonly estimatedWaitSeconds: number; readonly pressure: boolean }
  | {
      readonly admit: false;
      /** overloaded: the queue is past the budget (503); partner_share: this partner's share is spent (429). */
      readonly reason: 'overloaded' | 'partner_share';
      readonly retryAfterSeconds: number;
      readonly estimatedWaitSeconds: number;
    };

/** Estimated seconds a payment admitted now waits before settle reaches it. */
export function estimatedWaitSeconds(depth: number, capacityPerSecond: number): number {
  return (Math.max(0, depth) + 1) / capacityPerSecond;
}

export function clampRetryAfter(seconds: number, max: number): number {
  const whole = Number.isFinite(seconds) ? Math.ceil(seconds) : max;
  return Math.min(Math.max(1, whole), Math.max(1, Math.floor(max)));
}

/**
 * Every submission marks its partner active (refused ones too: a partner kept out is still
 * competing); partners not seen within the active window drop out of the share.
 */
function activePartners(
  state: AdmissionState,
  partnerId: string,
  nowMs: number,
  activeWindowMs: number,
): Map<string, PartnerBucket> {
  const partners = new Map(state.partners);
  const previous = partners.get(partnerId);
  partners.set(partnerId, {
    tokens: previous?.tokens ?? Number.POSITIVE_INFINITY,
    refilledAtMs: previous?.refilledAtMs ?? nowMs,
    lastSeenMs: nowMs,
  });
  for (const [id, bucket] of partners) {
    if (nowMs - bucket.lastSeenMs > activeWindowMs) partners.delete(id);
  }
  return partners;
}

/**
 * The admission decision for one submission of `partnerId` at `nowMs`, and the next state.
 * Pure: same inputs, same outputs.
 */
export function decideAdmission(
  state: AdmissionState,
  request: { readonly partnerId: string; readonly nowMs: number },
  backlog: BacklogSignal,
  settings: AdmissionSettings,
): { readonly decision: AdmissionDecision; readonly state: AdmissionState } {
  const { partnerId, nowMs } = request;
  const sameSample = backlog.sampledAtMs === state.sampleAtMs;
  const admittedSinceSample = sameSample ? state.admittedSinceSample : 0;
  const depth = backlog.waiting + backlog.inFlight + admittedSinceSample;
  const wait = estimatedWaitSeconds(depth, settings.capacityPerSecond);

  const partners = activePartners(state, partnerId, nowMs, settings.activeWindowMs);
  const share = settings.capacityPerSecond / partners.size;
  const burst = Math.max(1, share * settings.burstSeconds);
  const own = partners.get(partnerId) as PartnerBucket;
  const elapsedSeconds = Math.max(0, nowMs - own.refilledAtMs) / 1000;
  const tokens = Math.min(burst, own.tokens + elapsedSeconds * share);

  const next = (admitted: boolean, ownTokens: number): AdmissionState => {
    partners.set(partnerId, {
      tokens: ownTokens,
      refilledAtMs: Math.max(nowMs, own.refilledAtMs),
      lastSeenMs: nowMs,
    });
    return {
      partners,
      sampleAtMs: backlog.sampledAtMs,
      admittedSinceSample: admittedSinceSample + (admitted ? 1 : 0),
    };
  };

  if (wait > settings.budgetSeconds) {
    return {
      decision: {
        admit: false,
        reason: 'overloaded',
        retryAfterSeconds: clampRetryAfter(wait - settings.budgetSeconds, settings.maxRetryAfterSeconds),
        estimatedWaitSeconds: wait,
      },
      state: next(false, tokens),
    };
  }
  if (wait <= settings.budgetSeconds * settings.pressureFraction) {
    return {
      decision: { admit: true, estimatedWaitSeconds: wait, pressure: false },
      state: next(true, tokens),
    };
  }
  if (tokens >= 1) {
    return {
      decision: { admit: true, estimatedWaitSeconds: wait, pressure: true },
      state: next(true, tokens - 1),
    };
  }
  return {
    decision: {
      admit: false,
      reason: 'partner_share',
      retryAfterSeconds: clampRetryAfter((1 - tokens) / share, settings.maxRetryAfterSeconds),
      estimatedWaitSeconds: wait,
    },
    state: next(false, tokens),
  };
}

/**
 * Refusal for everyone when the wait is past the budget, without touching any partner's state:
 * the cheap check before authentication (see AdmissionGate.precheck). Undefined = go on.
 */
export function overloadedNow(
  state: AdmissionState,
  backlog: BacklogSignal,
  settings: Pick<AdmissionSettings, 'capacityPerSecond' | 'budgetSeconds' | 'maxRetryAfterSeconds'>,
): AdmissionDecision | undefined {
  const admitted = backlog.sampledAtMs === state.sampleAtMs ? state.admittedSinceSample : 0;
  const wait = estimatedWaitSeconds(
    backlog.waiting + backlog.inFlight + admitted,
    settings.capacityPerSecond,
  );
  if (wait <= settings.budgetSeconds) return undefined;
  return {
    admit: false,
    reason: 'overloaded',
    retryAfterSeconds: clampRetryAfter(wait - settings.budgetSeconds, settings.maxRetryAfterSeconds),
    estimatedWaitSeconds: wait,
  };
}

/**
 * The drain rate seen between two samples (payments/s), when the queue stayed backlogged the
 * whole interval (both depths > 0), else undefined (an emptied queue shows the arrivals, not the
 * capacity).
 */
export function observedDrainPerSecond(
  previous: BacklogSignal,
  admittedSince: number,
  current: BacklogSignal,
): number | undefined {
  const seconds = (current.sampledAtMs - previous.sampledAtMs) / 1000;
  const before = previous.waiting + previous.inFlight;
  const after = current.waiting + current.inFlight;
  if (seconds <= 0 || before <= 0 || after <= 0) return undefined;
  return Math.max(0, before + admittedSince - after) / seconds;
}

/** Logged / counted when the backlog cannot be read and the gate admits without it. */
export interface AdmissionObserver {
  signalUnavailable?(): void;
}

/**
 * The per-container gate the submit path calls before writing anything. Fails OPEN: when the
 * backlog cannot be read it admits (the deadline sweeper still ends every accepted payment in
 * the SLA, and the alarms show the queue age); an unreadable metric must not stop all intake.
 */
export class AdmissionGate {
  private state: AdmissionState = INITIAL_ADMISSION_STATE;
  private lastSample: BacklogSignal | undefined;
  private drainEstimate: number | undefined;

  constructor(
    private readonly probe: BacklogProbe,
    private readonly settings: AdmissionSettings & {
      /** Refine the capacity from the drain observed between samples (one container only). */
      readonly observeDrain?: boolean;
      readonly drainSmoothing?: number;
      readonly minCapacityPerSecond?: number;
    },
    private readonly clock: { now(): number },
    private readonly observer: AdmissionObserver = {},
  ) {}

  /** The capacity the decisions use now (configured, or lower when the drain observed is). */
  capacityPerSecond(): number {
    const configured = this.settings.capacityPerSecond;
    if (this.drainEstimate === undefined) return configured;
    return Math.min(configured, Math.max(this.settings.minCapacityPerSecond ?? 0.5, this.drainEstimate));
  }

  /**
   * The decision for a submission of `partnerId` (fair share, budget). Fails open: an unreadable
   * backlog admits.
   */
  async check(partnerId: string): Promise<AdmissionDecision> {
    const backlog = await this.sample();
    if (!backlog) return { admit: true, estimatedWaitSeconds: 0, pressure: false };
    const { decision, state } = decideAdmission(this.state, { partnerId, nowMs: this.clock.now() }, backlog, {
      ...this.settings,
      capacityPerSecond: this.capacityPerSecond(),
    });
    this.state = state;
    return decision;
  }

  /**
   * The cheap check before anything else (authentication included): refuses everyone when the
   * backlog is past the budget, undefined otherwise (then check() decides after validation).
   */
  async precheck(): Promise<AdmissionDecision | undefined> {
    const backlog = await this.sample();
    if (!backlog) return undefined;
    return overloadedNow(this.state, backlog, {
      ...this.settings,
      capacityPerSecond: this.capacityPerSecond(),
    });
  }

  private async sample(): Promise<BacklogSignal | undefined> {
    const backlog = await this.probe.backlog();
    if (!backlog) {
      this.observer.signalUnavailable?.();
      return undefined;
    }
    const previous = this.lastSample;
    if (previous && backlog.sampledAtMs !== previous.sampledAtMs) {
      if (this.settings.observeDrain) {
        const admitted = this.state.sampleAtMs === previous.sampledAtMs ? this.state.admittedSinceSample : 0;
        const drain = observedDrainPerSecond(previous, admitted, backlog);
        const a = this.settings.drainSmoothing ?? 0.3;
        if (drain !== undefined) {
          this.drainEstimate =
            this.drainEstimate === undefined ? drain : a * drain + (1 - a) * this.drainEstimate;
        } else if (backlog.waiting + backlog.inFlight === 0) {
          // Drained empty: the capacity was enough; back to the configured figure.
          this.drainEstimate = undefined;
        }
      }
    }
    this.lastSample = backlog;
    return backlog;
  }
}
