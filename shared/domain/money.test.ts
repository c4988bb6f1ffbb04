import fc from 'fast-check';
import { formatDecimalAmount, parseDecimalAmount } from './money';
import type { CurrencyCode } from './currency';

const USD = 'USD' as CurrencyCode;

describe('parseDecimalAmount', () => {
  it.each([
    ['10.50', 'USD', 1050],
    ['0.01', 'USD', 1],
    ['1234567.89', 'USD', 123456789],
    ['100', 'JPY', 100],
    ['1.005', 'KWD', 1005],
    ['7.10', 'USD', 710],
    ['7.100', 'USD', 710],
  ])('parses %s %s as %i minor units', (text, currency, minor) => {
    expect(parseDecimalAmount(text, currency)).toEqual({ ok: true, value: { amountMinor: minor, currency } });
  });

  it('refuses more decimals than the currency allows instead of rounding', () => {
    expect(parseDecimalAmount('1.005', 'USD')).toMatchObject({ ok: false, error: { kind: 'precision' } });
    expect(parseDecimalAmount('1.5', 'JPY')).toMatchObject({ ok: false, error: { kind: 'precision' } });
  });

  it.each(['', '1e3', '-1', '+1', '1.', '.5', '01.00', '1,00', ' ', 'NaN', '0x10'])(
    'refuses the format %p',
    (text) => {
      expect(parseDecimalAmount(text, 'USD')).toMatchObject({ ok: false, error: { kind: 'format' } });
    },
  );

  it('refuses unknown currencies and absurd sizes', () => {
    expect(parseDecimalAmount('1.00', 'XYZ')).toMatchObject({ ok: false, error: { kind: 'currency' } });
    expect(parseDecimalAmount('99999999999999999.00', 'USD')).toMatchObject({
      ok: false,
      error: { kind: 'range' },
    });
  });

  it('round-trips every safe amount exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 15 - 1 }),
        fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
        (minor, cur) => {
          const text = formatDecimalAmount({ amountMinor: minor, currency: cur as CurrencyCode });
          expect(parseDecimalAmount(text, cur)).toEqual({
            ok: true,
            value: { amountMinor: minor, currency: cur },
          });
        },
      ),
    );
  });
});

describe('formatDecimalAmount', () => {
  it('formats with the currency exponent, without floats', () => {
    expect(formatDecimalAmount({ amountMinor: 5, currency: USD })).toBe('0.05');
    expect(formatDecimalAmount({ amountMinor: -1050, currency: USD })).toBe('-10.50');
    expect(formatDecimalAmount({ amountMinor: 12, currency: 'JPY' as CurrencyCode })).toBe('12');
  });
});
