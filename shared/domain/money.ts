import { type CurrencyCode, isCurrencyCode, minorUnits } from './currency';

/**
 * Money is always an integer number of minor units (cents for USD) plus an ISO 4217 code.
 * Amounts are kept as safe integers (|n| <= 2^53 - 1): far above any RTP rail limit, and exact
 * in JSON and DynamoDB numbers. Floats never enter the model: decimal strings are parsed digit
 * by digit and a value with more decimals than the currency allows is refused, never rounded.
 */
export interface Money {
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

export type MoneyParseError =
  | { kind: 'currency'; message: string }
  | { kind: 'format'; message: string }
  | { kind: 'precision'; message: string }
  | { kind: 'range'; message: string };

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** Parses an ISO 20022 style decimal amount ("1234.56") for a currency into minor units. */
export function parseDecimalAmount(
  text: string,
  currency: string,
): { ok: true; value: Money } | { ok: false; error: MoneyParseError } {
  if (!isCurrencyCode(currency)) {
    return { ok: false, error: { kind: 'currency', message: `unknown ISO 4217 currency '${currency}'` } };
  }
  const match = DECIMAL.exec(text.trim());
  if (!match)
    return { ok: false, error: { kind: 'format', message: 'amount must be a plain decimal number' } };
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  const decimals = minorUnits(currency);
  if (fraction.length > decimals) {
    return {
      ok: false,
      error: { kind: 'precision', message: `${currency} allows at most ${decimals} decimal place(s)` },
    };
  }
  const digits = (whole + fraction.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return { ok: false, error: { kind: 'range', message: 'amount is too large' } };
  return { ok: true, value: { amountMinor: Number(digits), currency } };
}

/** Builds Money from minor units, checking it is a safe integer. */
export function money(amountMinor: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError('amountMinor must be a safe integer');
  return { amountMinor, currency };
}

/** Formats minor units as an ISO 20022 decimal string ("1234.56"), exactly, without floats. */
export function formatDecimalAmount(value: Money): string {
  const decimals = minorUnits(value.currency);
  const negative = value.amountMinor < 0;
  const digits = Math.abs(value.amountMinor)
    .toString()
    .padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
