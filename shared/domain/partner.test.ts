import fc from 'fast-check';
import {
  assertRegistrablePartner,
  InvalidPartnerError,
  isInstitutionAgentId,
  partnerRegistrationIssues,
  RELEASE_PROBE_AGENT_ID,
  RELEASE_PROBE_PARTNER_ID,
} from './partner';

describe('partner registration rules', () => {
  it('accepts routing numbers and BICs (BIC8, BIC11), and a partner with no agent id', () => {
    expect(partnerRegistrationIssues({ partnerId: 'bank-a', agentIds: ['011104238'] })).toEqual([]);
    expect(
      partnerRegistrationIssues({ partnerId: 'demo', agentIds: ['021000021', 'DEMOUS33XXX', 'BOFAUS3N'] }),
    ).toEqual([]);
    // TCH test routing numbers carry no ABA check digit: a rail rule, not a registration rule.
    expect(partnerRegistrationIssues({ partnerId: 'tch-bank', agentIds: ['234567891'] })).toEqual([]);
    expect(partnerRegistrationIssues({ partnerId: 'observer', agentIds: [] })).toEqual([]);
  });

  it('refuses the release probe agent id PROBE (any case) for every partner but the probe', () => {
    for (const agentId of ['PROBE', 'probe', 'Probe']) {
      expect(() =>
        assertRegistrablePartner({ partnerId: 'bank-a', agentIds: ['011104238', agentId] }),
      ).toThrow(InvalidPartnerError);
    }
    expect(partnerRegistrationIssues({ partnerId: 'bank-a', agentIds: ['PROBE'] })).toEqual([
      'agent id PROBE is reserved for the release probe',
    ]);
  });

  it('accepts the release probe only as itself, with exactly agent id PROBE', () => {
    expect(
      partnerRegistrationIssues({ partnerId: RELEASE_PROBE_PARTNER_ID, agentIds: [RELEASE_PROBE_AGENT_ID] }),
    ).toEqual([]);
    expect(
      partnerRegistrationIssues({ partnerId: RELEASE_PROBE_PARTNER_ID, agentIds: ['PROBE', '021000021'] }),
    ).toHaveLength(1);
    expect(
      partnerRegistrationIssues({ partnerId: RELEASE_PROBE_PARTNER_ID, agentIds: ['021000021'] }),
    ).toHaveLength(1);
  });

  it('refuses anything that is not a routing number or a BIC', () => {
    for (const agentId of ['', '12345678', '1234567890', 'demous33', 'DEMO US33', 'ACME:1', 'PROBE:x', '*']) {
      expect(isInstitutionAgentId(agentId)).toBe(false);
      expect(partnerRegistrationIssues({ partnerId: 'p', agentIds: [agentId] })).toHaveLength(1);
    }
    expect(partnerRegistrationIssues({ partnerId: ' ', agentIds: [] })).toEqual(['partnerId is empty']);
  });

  it('never lets a partner other than the probe act as an agent whose account prefix is PROBE:', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((id) => id !== RELEASE_PROBE_PARTNER_ID),
        fc.array(fc.oneof(fc.constantFrom('PROBE', 'probe', '021000021', 'DEMOUS33XXX'), fc.string()), {
          maxLength: 4,
        }),
        (partnerId, agentIds) => {
          if (partnerRegistrationIssues({ partnerId, agentIds }).length === 0) {
            expect(agentIds.every((a) => a.toUpperCase() !== 'PROBE' && !a.includes(':'))).toBe(true);
          }
        },
      ),
    );
  });
});
