import type { ReasonCode } from '../domain/reasons';
import {
  hasValidAbaCheckDigit,
  isBic,
  isMaxText,
  isRoutingNumberShape,
  isValidIban,
  normalizeBic,
  toE164,
} from './formats';
import type { IssueList } from './issues';
import type { Agent, CashAccount, Party } from './pacs008-model';
import type { RailRules } from './rails';

export interface AgentIdentity {
  /** Routing number (ClrSysMmbId/MmbId) if given, else the normalised BIC. Used in ledger ids. */
  readonly memberId: string;
  /** Every identifier the agent carries (routing number and/or normalised BIC). */
  readonly ids: readonly string[];
}

/** Normalises a partner-configured agent id (routing number or BIC) for comparison. */
export function normalizeAgentId(id: string): string {
  const trimmed = id.trim();
  return isRoutingNumberShape(trimmed) ? trimmed : normalizeBic(trimmed);
}

/**
 * Checks a BranchAndFinancialInstitutionIdentification6 agent. Both rails identify agents by
 * ClrSysMmbId/MmbId, an ABA routing number: 9 digits (RC01 when the format is wrong, ISO
 * "BankIdentifierIncorrect") whose ABA check digit must hold (RC02 "InvalidBankIdentifier").
 */
export function checkAgent(
  agent: Agent | undefined,
  path: string,
  issues: IssueList,
  rules: RailRules | undefined,
  routingCheckDigit: boolean,
): AgentIdentity | undefined {
  if (!issues.required(agent, path)) return undefined;
  const fin = issues.required(agent?.FinInstnId, `${path}.FinInstnId`);
  if (!fin) return undefined;
  const mmbId = fin.ClrSysMmbId?.MmbId?.trim() || undefined;
  const bic = fin.BICFI?.trim() || undefined;
  const before = issues.items.length;
  if (mmbId === undefined && bic === undefined) {
    issues.add(
      `${path}.FinInstnId.ClrSysMmbId.MmbId`,
      'FF01',
      'agent identification (routing number MmbId) is mandatory but missing',
    );
    return undefined;
  }
  if (mmbId === undefined && rules) {
    issues.add(
      `${path}.FinInstnId.ClrSysMmbId.MmbId`,
      'RC02',
      `${rules.name} identifies agents by routing number (ClrSysMmbId/MmbId)`,
    );
  }
  if (mmbId !== undefined) {
    if (!isRoutingNumberShape(mmbId)) {
      issues.add(`${path}.FinInstnId.ClrSysMmbId.MmbId`, 'RC01', 'routing number must be exactly 9 digits');
    } else if (routingCheckDigit && !hasValidAbaCheckDigit(mmbId)) {
      issues.add(
        `${path}.FinInstnId.ClrSysMmbId.MmbId`,
        'RC02',
        `routing number ${mmbId} fails the ABA 3-7-1 check digit`,
      );
    }
    const clrSysId = fin.ClrSysMmbId?.ClrSysId?.Cd;
    if (
      clrSysId !== undefined &&
      rules?.memberClearingSystemId &&
      clrSysId !== rules.memberClearingSystemId
    ) {
      issues.add(
        `${path}.FinInstnId.ClrSysMmbId.ClrSysId.Cd`,
        'RC02',
        `must be ${rules.memberClearingSystemId} (ABA routing number) on ${rules.name}`,
      );
    }
  }
  if (bic !== undefined && !isBic(bic)) {
    issues.add(
      `${path}.FinInstnId.BICFI`,
      'RC01',
      'BIC must be 8 or 11 characters (ISO 9362: 4 alnum, 2-letter country, 2 alnum, optional 3 alnum)',
    );
  }
  if (issues.items.length !== before) return undefined;
  const ids = [...(mmbId ? [mmbId] : []), ...(bic ? [normalizeBic(bic)] : [])];
  return { memberId: ids[0] ?? '', ids };
}

export function checkPartyName(
  party: Party | undefined,
  path: string,
  issues: IssueList,
): string | undefined {
  if (!issues.required(party, path)) return undefined;
  const name = issues.required(party?.Nm, `${path}.Nm`);
  if (name !== undefined && !isMaxText(name, 140)) {
    issues.add(`${path}.Nm`, 'FF01', 'name must be 1..140 characters (Max140Text)');
    return undefined;
  }
  return name;
}

/** ExternalProxyAccountType1Code values that carry a phone number (mobile wallet). */
const PHONE_PROXY_TYPES = new Set(['MBNO', 'TELE']);

/**
 * ISO's placeholder for an identifier the originator did not give: an `Othr/Id` of NOTPROVIDED
 * next to a proxy means "identified by the proxy", never a real (shared) account number.
 */
export const NOT_PROVIDED = 'NOTPROVIDED';

/**
 * Checks a CashAccount38 and returns the account part of the ledger account id:
 * IBAN (upper case, ISO 13616 mod-97), else Othr/Id (Max34Text; a `+` number there is a
 * mobile wallet and must be E.164 -> `tel:+E164`), else the proxy Prxy: a phone proxy
 * (Tp MBNO/TELE) -> `tel:+E164`, any other proxy -> `proxy:<TYPE>:<normalised id>` (an e-mail
 * is lower-cased), so every proxied customer has an account of its own. An `Othr/Id` of
 * NOTPROVIDED next to a proxy defers to the proxy. IBAN and Othr together are refused (the
 * ISO AccountIdentification4Choice is one or the other). `code` is AC02 for the debtor, AC03
 * for the creditor.
 */
export function checkAccount(
  account: CashAccount | undefined,
  path: string,
  code: ReasonCode,
  issues: IssueList,
): string | undefined {
  if (!issues.required(account, path)) return undefined;
  const before = issues.items.length;
  const proxy = account?.Prxy ? checkProxy(account.Prxy, `${path}.Prxy`, code, issues) : undefined;
  const id = account?.Id;
  const placeholder = id?.IBAN === undefined && id?.Othr?.Id?.trim() === NOT_PROVIDED && proxy !== undefined;
  let accountId: string | undefined;
  if (id?.IBAN !== undefined && id.Othr !== undefined) {
    issues.add(
      `${path}.Id`,
      code,
      'account Id must hold either IBAN or Othr (AccountIdentification4Choice), not both',
    );
  } else if (id?.IBAN !== undefined) {
    const iban = id.IBAN.trim().toUpperCase();
    if (!isValidIban(iban))
      issues.add(`${path}.Id.IBAN`, code, 'IBAN is malformed or fails the ISO 13616 mod-97 checksum');
    accountId = iban;
  } else if (id?.Othr !== undefined && !placeholder) {
    const other = issues.required(id.Othr.Id?.trim(), `${path}.Id.Othr.Id`, 'account number');
    if (other !== undefined && !isMaxText(other, 34))
      issues.add(`${path}.Id.Othr.Id`, code, 'account number must be 1..34 characters');
    if (other === NOT_PROVIDED) {
      issues.add(
        `${path}.Id.Othr.Id`,
        code,
        'account number NOTPROVIDED needs a proxy (Prxy) to identify it',
      );
    } else if (other !== undefined && other.startsWith('+')) {
      const e164 = toE164(other);
      if (!e164)
        issues.add(
          `${path}.Id.Othr.Id`,
          code,
          'a +number account id (mobile wallet) must be E.164: + and 1..15 digits',
        );
      accountId = e164 ? `tel:${e164}` : undefined;
    } else {
      accountId = other;
    }
  } else if (id !== undefined && !placeholder) {
    issues.add(`${path}.Id`, 'FF01', 'account Id must hold IBAN or Othr/Id');
  } else if (account?.Prxy === undefined) {
    issues.add(`${path}.Id`, 'FF01', 'account Id (or a proxy Prxy) is mandatory but missing');
  } else if (proxy) {
    accountId = proxy.accountId;
  }
  return issues.items.length === before ? accountId : undefined;
}

/**
 * A proxy (ISO ProxyAccountIdentification1): Tp/Cd (ExternalProxyAccountType1Code, e.g. EMAL,
 * MBNO, TELE) or Tp/Prtry, and the Id. Phone types must carry an E.164 number.
 */
function checkProxy(
  proxy: NonNullable<CashAccount['Prxy']>,
  path: string,
  code: ReasonCode,
  issues: IssueList,
): { accountId: string } | undefined {
  const id = issues.required(proxy.Id?.trim(), `${path}.Id`, 'proxy Id');
  if (id === undefined) return undefined;
  const type = (proxy.Tp?.Cd ?? proxy.Tp?.Prtry)?.trim().toUpperCase();
  if (type !== undefined && PHONE_PROXY_TYPES.has(type)) {
    const e164 = toE164(id);
    if (!e164) {
      issues.add(`${path}.Id`, code, 'mobile-number proxy must be an E.164 phone number: + and 1..15 digits');
      return undefined;
    }
    return { accountId: `tel:${e164}` };
  }
  if (type === undefined || !/^[A-Z0-9]{1,35}$/.test(type)) {
    issues.add(`${path}.Tp`, code, 'proxy type (Tp/Cd or Tp/Prtry) must be 1..35 letters or digits');
    return undefined;
  }
  if (!isMaxText(id, 2048)) {
    issues.add(`${path}.Id`, code, 'proxy Id must be 1..2048 characters (Max2048Text)');
    return undefined;
  }
  const normalised = type === 'EMAL' ? id.toLowerCase() : id;
  return { accountId: `proxy:${type}:${normalised}` };
}
