import { isCurrencyCode } from '../domain/currency';
import { formatDecimalAmount, parseDecimalAmount, type Money } from '../domain/money';
import type { IssueList } from './issues';
import type { IsoAmount } from './pacs008';
import type { RailRules } from './rails';
import type { PartnerContext } from './partner-context';

const TX = 'CdtTrfTxInf';

/**
 * IntrBkSttlmAmt: ISO 4217 currency (CURR if unknown), allowed for the rail and the partner
 * (AM03), a plain positive decimal with no more decimals than the currency has (AM12: never
 * rounded), within the rail network limit and the partner limit (AM02).
 */
export function checkAmount(
  amount: IsoAmount | undefined,
  rules: RailRules | undefined,
  partner: PartnerContext,
  issues: IssueList,
): Money | undefined {
  const path = `${TX}.IntrBkSttlmAmt`;
  if (!issues.required(amount, path)) return undefined;
  const value = issues.required(amount?.value, path, 'IntrBkSttlmAmt (amount)');
  const ccy = issues.required(amount?.Ccy, `${path}.Ccy`, 'currency (Ccy)');
  if (value === undefined || ccy === undefined) return undefined;
  if (!isCurrencyCode(ccy)) {
    issues.add(`${path}.Ccy`, 'CURR', `'${ccy.slice(0, 10)}' is not an ISO 4217 currency code`);
    return undefined;
  }
  let allowed = true;
  if (rules && !rules.currencies.includes(ccy)) {
    issues.add(`${path}.Ccy`, 'AM03', `${rules.name} settles only ${rules.currencies.join(', ')}`);
    allowed = false;
  } else if (partner.currencies && !partner.currencies.includes(ccy)) {
    issues.add(`${path}.Ccy`, 'AM03', `currency ${ccy} is not enabled for this partner`);
    allowed = false;
  }
  const parsed = parseDecimalAmount(value, ccy);
  if (!parsed.ok) {
    const reason =
      parsed.error.kind === 'format'
        ? 'amount must be a plain positive decimal (e.g. 100.00)'
        : parsed.error.message;
    issues.add(path, 'AM12', reason);
    return undefined;
  }
  const money = parsed.value;
  const digits = value.trim().replace('.', '').replace(/^0+/, '').length;
  if (rules && digits > rules.maxAmountDigits) {
    issues.add(path, 'AM12', `amount has more than ${rules.maxAmountDigits} digits`);
    return undefined;
  }
  if (money.amountMinor <= 0) {
    issues.add(path, 'AM12', 'amount must be greater than zero');
    return undefined;
  }
  if (!allowed) return undefined;
  if (rules && money.amountMinor > rules.limitMinor) {
    const limit = formatDecimalAmount({ amountMinor: rules.limitMinor, currency: money.currency });
    issues.add(path, 'AM02', `amount exceeds the ${rules.name} network limit of ${limit} ${ccy}`);
    return undefined;
  }
  if (partner.limitMinor !== undefined && money.amountMinor > partner.limitMinor) {
    const limit = formatDecimalAmount({ amountMinor: partner.limitMinor, currency: money.currency });
    issues.add(path, 'AM02', `amount exceeds the partner limit of ${limit} ${ccy}`);
    return undefined;
  }
  return money;
}

/** ISO TotalInterbankSettlementAmountRule: when present, it equals the (single) transaction amount. */
export function checkTotal(total: IsoAmount | undefined, money: Money | undefined, issues: IssueList): void {
  if (total === undefined || money === undefined) return;
  const parsed = parseDecimalAmount(total.value ?? '', total.Ccy ?? '');
  if (
    !parsed.ok ||
    parsed.value.currency !== money.currency ||
    parsed.value.amountMinor !== money.amountMinor
  ) {
    issues.add(
      'GrpHdr.TtlIntrBkSttlmAmt',
      'AM12',
      'TtlIntrBkSttlmAmt must equal IntrBkSttlmAmt (same currency and value)',
    );
  }
}
