import fc from 'fast-check';
import { classifyKey, maskAccount, redact, REDACTED, scrubText } from './redaction';
import { forbiddenValuesStayOut, plantedTree } from './testing/sensitive-arbitraries';

describe('classifyKey', () => {
  it.each([
    ['Signature', 'secret'],
    ['signature-input', 'secret'],
    ['Authorization', 'secret'],
    ['x-api-key', 'secret'],
    ['partnerSecret', 'secret'],
    ['SecretString', 'secret'],
    ['body', 'secret'],
    ['debtorAccount', 'account'],
    ['creditor_account', 'account'],
    ['DbtrAcct', 'account'],
    ['IBAN', 'account'],
    ['accountId', 'account'],
    ['Nm', 'personal'],
    ['debtorName', 'personal'],
    ['Dbtr', 'personal'],
    ['PstlAdr', 'personal'],
    ['postalAddress', 'personal'],
    ['paymentId', 'plain'],
    ['partnerId', 'plain'],
    ['endToEndId', 'plain'],
    ['keyId', 'plain'],
    ['name', 'plain'],
    ['reasonCode', 'plain'],
    ['accountStatus', 'plain'],
  ])('%s is %s', (key, kind) => {
    expect(classifyKey(key)).toBe(kind);
  });
});

describe('maskAccount', () => {
  it('keeps the last 4 characters only, and nothing of 4 characters or fewer', () => {
    expect(maskAccount('021000021:1000001')).toBe('****0001');
    expect(maskAccount('DE89370400440532013000')).toBe('****3000');
    expect(maskAccount('1234')).toBe('****');
    expect(maskAccount('')).toBe('****');
  });

  it('never returns the full value of an account longer than 4 characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9:+-]{5,40}$/), (account) => {
        const masked = maskAccount(account);
        expect(masked).not.toContain(account);
        expect(masked).toBe(`****${account.slice(-4)}`);
      }),
    );
  });
});

describe('redact', () => {
  it('masks accounts, drops names, addresses and secrets, keeps correlation ids', () => {
    const out = redact({
      paymentId: '0195b7a0-0000-7000-8000-000000000001',
      partnerId: 'demo-bank',
      endToEndId: 'E2E-DEMO-0001',
      debtorAccount: '021000021:1000001',
      creditorAccount: '011000015:2000001',
      headers: {
        'Signature-Input': 'sig1=("@method");keyid="k"',
        Signature: 'sig1=:AAAA:',
        Authorization: 'Bearer abc.def.123',
        host: 'api',
      },
      Dbtr: { Nm: 'Jane Roe', PstlAdr: { AdrLine: ['1 Main Street'] } },
      DbtrAcct: { Id: { Othr: { Id: '1000001' } } },
      partner: { name: 'Demo Bank', hmacSecret: 'c2VjcmV0' },
    });
    expect(out).toEqual({
      paymentId: '0195b7a0-0000-7000-8000-000000000001',
      partnerId: 'demo-bank',
      endToEndId: 'E2E-DEMO-0001',
      debtorAccount: '****0001',
      creditorAccount: '****0001',
      headers: { 'Signature-Input': REDACTED, Signature: REDACTED, Authorization: REDACTED, host: 'api' },
      Dbtr: REDACTED,
      DbtrAcct: { Id: { Othr: { Id: '****0001' } } },
      partner: { name: 'Demo Bank', hmacSecret: REDACTED },
    });
  });

  it('walks errors: message, stack, cause and own properties', () => {
    const cause = new Error('ledger refused 021000021:1000002');
    const error = Object.assign(new Error('settle failed for 021000021:1000001', { cause }), {
      debtorAccount: '021000021:1000001',
    });
    const text = JSON.stringify(redact({ error }));
    expect(text).not.toContain('021000021:1000001');
    expect(text).not.toContain('021000021:1000002');
    expect(text).toContain('****0001');
    expect(text).toContain('****0002');
  });

  it('survives cycles, deep nesting, Maps, Sets, Buffers, dates and bigints', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { debtorAccount: '021000021:1000001' };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    const out = JSON.stringify(
      redact({
        cyclic,
        deep,
        map: new Map([['creditorAccount', '011000015:2000001']]),
        set: new Set(['021000021:1000003']),
        buffer: Buffer.from('Jane Roe'),
        at: new Date(0),
        big: 10n,
      }),
    );
    expect(out).toContain('[Circular]');
    expect(out).toContain('[Truncated]');
    expect(out).not.toMatch(/\d{9}:\d{7}/);
    expect(out).not.toContain('Jane Roe');
    expect(out).toContain('1970-01-01T00:00:00.000Z');
    expect(out).toContain('"big":"10"');
  });
});

describe('scrubText', () => {
  it.each([
    ['a ledger account id', 'debit 021000021:1000001 now', 'debit ****0001 now'],
    ['a BIC account id', 'credit DEUTDEFF:DE89370400440532013000', 'credit ****3000'],
    ['an IBAN', 'to DE89370400440532013000.', 'to ****3000.'],
    ['a tel: proxy', 'wallet tel:+15551234567', 'wallet ****4567'],
    [
      'a signature',
      'Signature: sig1=:K2qGT5srn2OGbOIDzQ6kYT+ruaycnDAAUpKv+ePFfD0=:',
      'Signature: sig1=:[REDACTED]:',
    ],
    [
      'a signature input',
      'sig1=("@method" "@target-uri");created=1795262400;keyid="demo";nonce="n8V"',
      'sig1=[REDACTED]',
    ],
    [
      'a bearer token',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x1',
      'Authorization: Bearer [REDACTED]',
    ],
    [
      'a PEM key',
      'key -----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----',
      'key [REDACTED] private key',
    ],
    [
      'JSON members',
      '{"debtorName":"Jane Roe","debtorAccount":"021000021:1000001","amountMinor":5}',
      '{"debtorName":"[REDACTED]","debtorAccount":"****0001","amountMinor":5}',
    ],
    [
      'XML elements',
      '<Cdtr><Nm>Jane Roe</Nm></Cdtr><CdtrAcct><Id><Othr><Id>2000001</Id></Othr></Id></CdtrAcct>',
      '<Cdtr>[REDACTED]</Cdtr><CdtrAcct><Id><Othr><Id>****0001</Id></Othr></Id></CdtrAcct>',
    ],
  ])('hides %s', (_label, input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('leaves ordinary prose, ids and ISO reason codes alone', () => {
    const text =
      'payment 0195b7a0-0000-7000-8000-000000000001 (E2E-DEMO-0001) rejected AM04: Basic validation failed';
    expect(scrubText(text)).toBe(text);
  });

  it('cuts very long strings before scanning them', () => {
    const out = scrubText('x'.repeat(20_000));
    expect(out.length).toBeLessThan(8_300);
    expect(out).toContain('[truncated');
  });
});

describe('redaction properties (fast-check)', () => {
  it('never lets a planted account number, name, address, secret or signature through, however nested', () => {
    fc.assert(
      fc.property(plantedTree(), ({ tree, forbidden }) => {
        forbiddenValuesStayOut(JSON.stringify(redact(tree)), forbidden);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    fc.assert(
      fc.property(plantedTree(), ({ tree }) => {
        const once = redact(tree);
        expect(redact(once)).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});
