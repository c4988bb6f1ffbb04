/** The calling partner, as configured (never read from the message). */
export interface PartnerContext {
  readonly partnerId: string;
  /** The partner's institution identifiers: ABA routing numbers and/or BICs. */
  readonly agentIds: readonly string[];
  /** Per-transaction limit in minor units of the payment currency. */
  readonly limitMinor?: number;
  /** Currencies the partner may send (default: whatever the rail allows). */
  readonly currencies?: readonly string[];
}
