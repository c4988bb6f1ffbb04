import * as z from 'zod/mini';
import { ConfigError } from '../../shared/domain/errors';

/**
 * The release hooks' own settings (serverless.yml sets them on the two hook functions only),
 * read once and validated like shared/config/config.ts does for the service's.
 */
const text = z.string().check(z.minLength(1));
const ReleaseConfigSchema = z.object({
  STAGE: text,
  AWS_REGION: z._default(text, 'us-east-1'),
  POWERTOOLS_SERVICE_NAME: text,
  POWERTOOLS_METRICS_NAMESPACE: text,
  /** `<service>-<stage>-`: a deployed function's name is this prefix + its key in serverless.yml. */
  RELEASE_FUNCTION_PREFIX: text,
  RELEASE_ALIAS: z._default(text, 'Live'),
  /** Post-traffic: how long the new version serves all traffic before its metrics are judged. */
  RELEASE_SOAK_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(600)), 60),
});

export interface ReleaseConfig {
  readonly stage: string;
  readonly region: string;
  readonly service: string;
  readonly metricsNamespace: string;
  readonly functionPrefix: string;
  readonly alias: string;
  readonly soakSeconds: number;
}

export function parseReleaseConfig(env: Record<string, string | undefined>): ReleaseConfig {
  const parsed = ReleaseConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid release hook configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    stage: e.STAGE,
    region: e.AWS_REGION,
    service: e.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
    functionPrefix: e.RELEASE_FUNCTION_PREFIX,
    alias: e.RELEASE_ALIAS,
    soakSeconds: e.RELEASE_SOAK_SECONDS,
  };
}

let cached: ReleaseConfig | undefined;

export function getReleaseConfig(): ReleaseConfig {
  cached ??= parseReleaseConfig(process.env);
  return cached;
}
