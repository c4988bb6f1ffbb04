import { availableMinor, type Account } from './account';
import { InternalError } from './errors';
import type { ReasonCode } from './reasons';

/**
 * The ledger's rules for one transfer, as ONE ordered list: the first rule that fails decides
 * the refusal, deterministically (in the spirit of TigerBeetle's ordered result codes). The
 * DynamoDB ledger encodes the same rules in its transaction's conditions and reports which side's
 * condition failed, with the state it saw (a `conditions-failed` ledger outcome); the in-memory
 * fake evaluates the list directly; in both, the use case (shared/app/settle.ts) reads the
 * refusal and its ISO reason from this list (refusalFor), so the two cannot drift apart.
 *
 * What a partner may learn: only the state of accounts it owns. A debtor account it does not
 * own answers exactly like an absent one (AC02), whatever its status or balance; a creditor
 * account of another institution that cannot take the credit answers one uniform AC03, whether
 * it is unknown, closed, blocked or in another currency. The rule id (for operators' logs) says
 * which; the partner-facing code and text do not.
 */
export interface TransferRequest {
  /** The partner that instructed the payment: it must own the debtor account. */
  readonly partnerId: string;
  readonly debtorAccount: string;
  readonly creditorAccount: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export type LedgerRuleId =
  | 'SAME_ACCOUNT'
  | 'DEBTOR_NOT_OWNED'
  | 'DEBTOR_CLOSED'
  | 'DEBTOR_BLOCKED'
  | 'DEBTOR_CURRENCY'
  | 'CREDITOR_UNKNOWN'
  | 'CREDITOR_CLOSED'
  | 'CREDITOR_BLOCKED'
  | 'CREDITOR_CURRENCY'
  | 'INSUFFICIENT_FUNDS';

export interface LedgerRefusal {
  readonly rule: LedgerRuleId;
  /** ISO reason code the partner sees. */
  readonly code: ReasonCode;
  /** Text the partner sees (no account state of other institutions). */
  readonly message: string;
}

/**
 * What is known of an account: the item (or undefined: absent), or `CONDITIONS_HELD` when the
 * ledger's condition on that side held (the DynamoDB adapter knows no more of a side whose
 * condition passed, and needs no more: every rule of that side holds).
 */
export const CONDITIONS_HELD = Symbol('ledger conditions held');
export type AccountFact = Account | undefined | typeof CONDITIONS_HELD;

type Side = 'transfer' | 'debtor' | 'creditor';

interface Rule {
  readonly id: LedgerRuleId;
  readonly side: Side;
  /** True when the rule is broken. `account` is the side's account (undefined: absent). */
  readonly broken: (t: TransferRequest, account: Account | undefined) => boolean;
  readonly code: ReasonCode;
  readonly message: string;
}

const UNKNOWN_DEBTOR = 'unknown debtor account';
const CREDITOR_REFUSED = 'the creditor account cannot receive this payment';

/** THE ORDER MATTERS: the first broken rule wins. */
export const LEDGER_RULES: readonly Rule[] = [
  {
    id: 'SAME_ACCOUNT',
    side: 'transfer',
    broken: (t) => t.debtorAccount === t.creditorAccount,
    code: 'AC03',
    message: 'creditor account equals debtor account',
  },
  {
    id: 'DEBTOR_NOT_OWNED',
    side: 'debtor',
    broken: (t, a) => a === undefined || a.ownerPartnerId !== t.partnerId,
    code: 'AC02',
    message: UNKNOWN_DEBTOR,
  },
  {
    id: 'DEBTOR_CLOSED',
    side: 'debtor',
    broken: (_t, a) => a?.status === 'CLOSED',
    code: 'AC04',
    message: 'debtor account closed',
  },
  {
    id: 'DEBTOR_BLOCKED',
    side: 'debtor',
    broken: (_t, a) => a?.status === 'BLOCKED',
    code: 'AC06',
    message: 'debtor account blocked',
  },
  {
    id: 'DEBTOR_CURRENCY',
    side: 'debtor',
    broken: (t, a) => a !== undefined && a.currency !== t.currency,
    code: 'AM03',
    message: 'debtor account does not hold the payment currency',
  },
  {
    id: 'CREDITOR_UNKNOWN',
    side: 'creditor',
    broken: (_t, a) => a === undefined,
    code: 'AC03',
    message: 'unknown creditor account',
  },
  {
    id: 'CREDITOR_CLOSED',
    side: 'creditor',
    broken: (_t, a) => a?.status === 'CLOSED',
    code: 'AC04',
    message: 'creditor account closed',
  },
  {
    id: 'CREDITOR_BLOCKED',
    side: 'creditor',
    broken: (_t, a) => a?.status === 'BLOCKED',
    code: 'AC06',
    message: 'creditor account blocked',
  },
  {
    id: 'CREDITOR_CURRENCY',
    side: 'creditor',
    broken: (t, a) => a !== undefined && a.currency !== t.currency,
    code: 'AM03',
    message: 'creditor account does not hold the payment currency',
  },
  {
    id: 'INSUFFICIENT_FUNDS',
    side: 'debtor',
    // Available = balance + overdraft: an INBOUND account's unfolded credits are not spendable.
    broken: (t, a) => a !== undefined && availableMinor(a) < t.amountMinor,
    code: 'AM04',
    message: 'insufficient funds',
  },
];

/**
 * The first broken rule for the transfer, or undefined when every rule holds. A side given as
 * CONDITIONS_HELD has all its rules holding.
 */
export function firstRefusal(
  t: TransferRequest,
  debtor: AccountFact,
  creditor: AccountFact,
): LedgerRefusal | undefined {
  for (const rule of LEDGER_RULES) {
    const fact = rule.side === 'debtor' ? debtor : rule.side === 'creditor' ? creditor : undefined;
    if (fact === CONDITIONS_HELD) continue;
    if (!rule.broken(t, fact)) continue;
    return present(rule, t, fact);
  }
  return undefined;
}

/** The partner-facing refusal: a creditor-side detail only when the caller owns that account. */
function present(rule: Rule, t: TransferRequest, account: Account | undefined): LedgerRefusal {
  if (rule.side === 'creditor' && account?.ownerPartnerId !== t.partnerId) {
    return { rule: rule.id, code: 'AC03', message: CREDITOR_REFUSED };
  }
  return { rule: rule.id, code: rule.code, message: rule.message };
}

/**
 * True when the transfer rules and every creditor rule hold for `creditor` (the debtor's are not
 * looked at): what settle checks on an INBOUND creditor's recent profile, since the credit entry's
 * transaction no longer holds a condition on the creditor's item.
 */
export function creditorRulesHold(t: TransferRequest, creditor: Account | undefined): boolean {
  return firstRefusal(t, CONDITIONS_HELD, creditor) === undefined;
}

/** True when a rule of the transfer itself is broken (no account state needed, e.g. a self-transfer). */
export function transferRuleBroken(t: TransferRequest): boolean {
  return firstRefusal(t, CONDITIONS_HELD, CONDITIONS_HELD) !== undefined;
}

/**
 * The refusal for a transfer whose ledger conditions failed, from the state of each side as the
 * ledger saw it. No broken rule there is a bug (conditions and rules disagree): InternalError,
 * with the ledger's error as its cause.
 */
export function refusalFor(
  t: TransferRequest,
  debtor: AccountFact,
  creditor: AccountFact,
  cause?: unknown,
): LedgerRefusal {
  const refusal = firstRefusal(t, debtor, creditor);
  if (refusal) return refusal;
  throw new InternalError('settle: an account condition failed but no ledger rule is broken', { cause });
}
