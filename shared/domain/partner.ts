/**
 * A partner institution: who may call the API, as which institution(s), within which limits.
 * Its signing keys live apart (keys in the partners table, HMAC secrets in Secrets Manager).
 */
export interface Partner {
  readonly partnerId: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'DISABLED';
  /** Institution identifiers the partner may act as (ABA routing numbers, BICs). */
  readonly agentIds: readonly string[];
  /** Per-payment limit in minor units, if lower than the rail's. */
  readonly limitMinor?: number;
  /** Requests per second the partner may make (defaults to the stage's setting). */
  readonly rateLimitPerSecond?: number;
  /** Currencies the partner may send. */
  readonly currencies: readonly string[];
}
