import * as z from 'zod/mini';

/**
 * The observability module's own settings, read from the environment once, like Powertools
 * reads its POWERTOOLS_* variables (serverless.yml `provider.environment`, per-stage values in
 * `params`). Kept apart from shared/config/config.ts so that logging and metrics work in every
 * process that imports them (unit tests, scripts) without a full service configuration.
 *
 *  - STAGE: added to every metric as the `stage` dimension (alarms select their stage with it)
 *    and to every log line as `environment`.
 *  - RTP_OPS_PARAMETER: SSM parameter holding the runtime log settings (runtime-log-level.ts);
 *    empty on the local stage: the deployed POWERTOOLS_LOG_LEVEL applies.
 *  - RTP_OPS_PARAMETER_MAX_AGE_SECONDS: how long a read of it is cached.
 */
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
);

const SettingsSchema = z.object({
  STAGE: optionalText,
  RTP_OPS_PARAMETER: optionalText,
  RTP_OPS_PARAMETER_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 60),
});

export interface ObservabilitySettings {
  readonly stage?: string;
  readonly opsParameter?: string;
  readonly opsParameterMaxAgeSeconds: number;
}

export function parseObservabilitySettings(env: Record<string, string | undefined>): ObservabilitySettings {
  const parsed = SettingsSchema.safeParse(env);
  // Observability must never stop a function from starting: fall back to "nothing configured".
  if (!parsed.success) return { opsParameterMaxAgeSeconds: 60 };
  const e = parsed.data;
  return {
    ...(e.STAGE ? { stage: e.STAGE } : {}),
    ...(e.RTP_OPS_PARAMETER ? { opsParameter: e.RTP_OPS_PARAMETER } : {}),
    opsParameterMaxAgeSeconds: e.RTP_OPS_PARAMETER_MAX_AGE_SECONDS,
  };
}

let cached: ObservabilitySettings | undefined;

export function observabilitySettings(): ObservabilitySettings {
  cached ??= parseObservabilitySettings(process.env);
  return cached;
}
