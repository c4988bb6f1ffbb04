import { ConfigError } from '../domain/errors';
import { parseRailsConfig, RAILS_CONFIG } from './rails';
import { RAIL_RULES } from '../iso20022/rails';

describe('rails config', () => {
  it('holds the current network limits with their source and date', () => {
    expect(RAILS_CONFIG.fednow.limit).toMatchObject({ currency: 'USD', limitMinor: 10_000_000_00 });
    expect(RAILS_CONFIG.rtp.limit).toMatchObject({ currency: 'USD', limitMinor: 10_000_000_00 });
    for (const rail of ['fednow', 'rtp'] as const) {
      expect(RAILS_CONFIG[rail].limit.source).not.toBe('');
      expect(RAILS_CONFIG[rail].limit.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(RAIL_RULES[rail].limitMinor).toBe(RAILS_CONFIG[rail].limit.limitMinor);
    }
    expect(RAILS_CONFIG.fednow.timeout.seconds).toBe(20);
  });

  it('refuses a config without a source or with a bad limit', () => {
    const bad = structuredClone(RAILS_CONFIG) as { fednow: { limit: Record<string, unknown> } };
    bad.fednow.limit.limitMinor = -1;
    expect(() => parseRailsConfig(bad)).toThrow(ConfigError);
    const noSource = structuredClone(RAILS_CONFIG) as { rtp: { limit: Record<string, unknown> } };
    delete noSource.rtp.limit.source;
    expect(() => parseRailsConfig(noSource)).toThrow(/rtp\.limit\.source/);
  });

  it("refuses a service participant id TCH's AppHdr / MsgId patterns would not take", () => {
    for (const id of ['000000010', '000000010t1', '000000010T12', 'ABCDEFGHIJK']) {
      const bad = structuredClone(RAILS_CONFIG) as { rtp: { participantId: string } };
      bad.rtp.participantId = id;
      expect(() => parseRailsConfig(bad)).toThrow(/rtp\.participantId/);
    }
  });
});
