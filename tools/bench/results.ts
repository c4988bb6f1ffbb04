/**
 * The shape of one benchmark run's results (results.json) and of a target's verdict: what
 * bench.ts produces and summary.ts / report.ts read, kept apart so none of them imports another
 * in a circle.
 */
import type { BundleReport } from './bundles';
import type { CapacityResult } from './capacity';
import type { CostModel } from './cost';
import type { HotAccountReport } from './hot-settle';
import type { KneeReport } from './knee';
import type { LoadMeasures, PaymentTimeline } from './measure';
import type { SchemaCost } from './schema-cost';
import type { PipelineUsage } from './usage';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetVerdict {
  readonly target: string;
  readonly value: string;
  readonly verdict: Verdict;
}

export interface BenchResults {
  readonly meta: {
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly runId: string;
    readonly target: 'in-process' | 'external';
    readonly url: string;
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly options: Record<string, unknown>;
  };
  readonly plan: {
    readonly rate: number;
    readonly rateSource: string;
    readonly durationSeconds: number;
    readonly sloSeconds: number;
    readonly slaSeconds: number;
  };
  readonly capacity?: CapacityResult;
  readonly load: LoadMeasures;
  readonly limit?: {
    readonly dynamodbSettlePerSecond: number;
    readonly sqsFifoPerSecond: number;
    readonly pipelinePerSecond: number;
    /** Pipeline terminal throughput / DynamoDB Local settlement capacity. */
    readonly ratio: number;
    readonly sqsRatio: number;
    /**
     * DynamoDB Local's CPU per payment in the pipeline, in settlement transactions' worth (its CPU
     * per payment / its CPU per probe settlement), and the pipeline ceiling that implies.
     */
    readonly settlementsWorthPerPayment?: number;
    readonly impliedCeilingPerSecond?: number;
  };
  readonly pipeline?: PipelineUsage;
  readonly cost?: CostModel;
  readonly bundles?: readonly BundleReport[];
  /** The XSD check's cost per incoming XML message (tools/bench/schema-cost.ts). */
  readonly schema?: SchemaCost;
  /**
   * `--knee`: the ladder of steps, the knee and the overload step's verdict (knee.ts). `load`,
   * `timelines` and the targets then describe the overload step (the last step when there is no knee).
   */
  readonly knee?: KneeReport;
  /** `--hot-account`: one hot creditor's settles/s without and with the conflict layer. */
  readonly hotAccount?: HotAccountReport;
  readonly drain: { readonly waitedMs: number; readonly timedOut: boolean };
  readonly targets: readonly TargetVerdict[];
  readonly timelines: readonly PaymentTimeline[];
  readonly files: { readonly json: string; readonly html?: string };
}
