import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';

/**
 * Runtime log settings from SSM Parameter Store: operators raise a stage's log level (e.g. to
 * DEBUG during an incident) without a deploy, by writing the stage's parameter
 * (`/rtp-pipeline/<stage>/observability`, a JSON document `{"logLevel":"DEBUG"}`); every warm
 * function picks it up within the cache age (RTP_OPS_PARAMETER_MAX_AGE_SECONDS, 60 s).
 *
 * Read through Powertools Parameters (cached), at most once per cache age per container, never
 * failing an invocation: a missing parameter, bad JSON or an unreachable SSM keeps the deployed
 * level (POWERTOOLS_LOG_LEVEL, from serverless.yml params) and is reported once. On the local
 * stage no parameter is configured and nothing is read.
 */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
type Level = (typeof LEVELS)[number];

const OpsSettings = z.object({
  logLevel: z.optional(
    z.pipe(
      z.string(),
      z.transform((v) => v.toUpperCase()),
    ),
  ),
});

export type ParameterFetcher = (name: string, maxAgeSeconds: number) => Promise<unknown>;

export interface RuntimeLogLevelOptions {
  readonly logger: Pick<Logger, 'getLevelName' | 'setLogLevel' | 'info' | 'warn'>;
  /** SSM parameter name; undefined disables the feature (local stage, tests). */
  readonly parameterName?: string;
  readonly maxAgeSeconds: number;
  readonly fetch: ParameterFetcher;
  readonly now?: () => number;
}

export class RuntimeLogLevel {
  private readonly deployedLevel: Level;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private reported = false;
  private readonly now: () => number;

  constructor(private readonly options: RuntimeLogLevelOptions) {
    this.deployedLevel = options.logger.getLevelName() as Level;
    this.now = options.now ?? Date.now;
  }

  /** Applies the parameter's level if the cached read is stale; never throws. */
  async refresh(): Promise<void> {
    const name = this.options.parameterName;
    if (name === undefined) return;
    const now = this.now();
    if (now - this.lastAttemptMs < this.options.maxAgeSeconds * 1000) return;
    this.lastAttemptMs = now;
    let wanted: Level = this.deployedLevel;
    try {
      const parsed = OpsSettings.safeParse(await this.options.fetch(name, this.options.maxAgeSeconds));
      if (!parsed.success) throw new Error('parameter is not a JSON object like {"logLevel":"DEBUG"}');
      const level = parsed.data.logLevel;
      if (level !== undefined) {
        if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`unknown log level ${level}`);
        wanted = level as Level;
      }
    } catch (error) {
      if (!this.reported) {
        this.reported = true;
        this.options.logger.warn('runtime log settings unavailable: keeping the deployed log level', {
          parameter: name,
          deployedLevel: this.deployedLevel,
          error,
        });
      }
      return;
    }
    const current = this.options.logger.getLevelName();
    if (current !== wanted) {
      this.options.logger.setLogLevel(wanted);
      this.options.logger.info('log level changed by the runtime settings parameter', {
        parameter: name,
        from: current,
        to: wanted,
      });
    }
  }
}
