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

/**
 * The release probe (release/domain/probe-identity.ts): the one partner that acts as agent id
 * `PROBE`, which is neither a routing number nor a BIC, so no real institution can ever be it.
 * Its accounts are `PROBE:<name>`, owned by it.
 */
export const RELEASE_PROBE_PARTNER_ID = 'release-probe';
export const RELEASE_PROBE_AGENT_ID = 'PROBE';

/** A partner profile that must not be registered. Raised by onboarding and seeding, never on a request path. */
export class InvalidPartnerError extends Error {
  override readonly name = 'InvalidPartnerError';
  constructor(readonly issues: readonly string[]) {
    super(`partner profile refused: ${issues.join('; ')}`);
  }
}

const ROUTING_NUMBER = /^[0-9]{9}$/;
/** ISO 9362 BIC8 / BIC11, upper case (as shared/iso20022/formats.ts isBic). */
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

/** An institution identifier a real partner may act as: an ABA routing number (9 digits) or a BIC. */
export function isInstitutionAgentId(agentId: string): boolean {
  return ROUTING_NUMBER.test(agentId) || BIC.test(agentId);
}

/**
 * Why a partner profile may not be registered (empty: it may). Every agent id of a real partner
 * is a routing number or a BIC: the reserved `PROBE` (and anything else that is not an
 * institution identifier) is refused, so the release probe's accounts can never be named by a
 * real partner's agent prefix. The probe partner itself is accepted only with exactly its own
 * agent id. The ABA check digit is not required here: it is a rail rule (TCH test routing
 * numbers do not carry one), checked on each message by shared/iso20022/validate-parties.ts.
 */
export function partnerRegistrationIssues(partner: Pick<Partner, 'partnerId' | 'agentIds'>): string[] {
  const issues: string[] = [];
  if (partner.partnerId.trim() === '') issues.push('partnerId is empty');
  if (partner.partnerId === RELEASE_PROBE_PARTNER_ID) {
    if (partner.agentIds.length !== 1 || partner.agentIds[0] !== RELEASE_PROBE_AGENT_ID)
      issues.push(`${RELEASE_PROBE_PARTNER_ID} acts as agent ${RELEASE_PROBE_AGENT_ID} only`);
    return issues;
  }
  for (const agentId of partner.agentIds) {
    if (agentId.toUpperCase() === RELEASE_PROBE_AGENT_ID)
      issues.push(`agent id ${agentId} is reserved for the release probe`);
    else if (!isInstitutionAgentId(agentId))
      issues.push(`agent id ${JSON.stringify(agentId)} is neither a routing number nor a BIC`);
  }
  return issues;
}

/** Throws InvalidPartnerError unless the profile may be registered (see partnerRegistrationIssues). */
export function assertRegistrablePartner(partner: Pick<Partner, 'partnerId' | 'agentIds'>): void {
  const issues = partnerRegistrationIssues(partner);
  if (issues.length > 0) throw new InvalidPartnerError(issues);
}
