import { buildPacs002Xml } from '../iso20022';
import { reportForMessage } from './status-report';

describe('pacs.002 AddtlInf (Max105Text, 0..n)', () => {
  it('splits a long reason into 105-character lines instead of cutting it with an ellipsis', () => {
    const info = `MsgId '20261202011104238ABCDEFGH12345678' was already used for a different payment by this partner; ${'x'.repeat(120)}`;
    const report = reportForMessage({ msgId: 'M1', endToEndId: 'E1' }, 'REJECTED', {
      rail: 'fednow',
      now: Date.parse('2026-12-02T15:00:00Z'),
      reason: { code: 'DUPL', info },
    });
    expect(report.reason?.additionalInfo).toBe(info);
    const xml = buildPacs002Xml(report, { rail: 'fednow', envelope: 'document' });
    const lines = [...xml.matchAll(/<AddtlInf>([^<]*)<\/AddtlInf>/g)].map((m) => m[1] ?? '');
    expect(lines.length).toBe(Math.ceil(info.length / 105));
    expect(lines.every((l) => l.length <= 105)).toBe(true);
    expect(lines.join('')).toBe(info);
    expect(xml).not.toContain('…');
  });
});
