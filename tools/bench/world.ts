/**
 * The simulated world the load runs in: partner institutions (each with a valid ABA routing
 * number and a signing key), funded accounts spread over them, a few empty accounts per partner
 * (insufficient funds) and one hot creditor account. Ledger account ids follow the ISO intake's
 * rule `<agent routing number>:<account number>` (shared/iso20022 ledgerAccountId), so the same
 * accounts serve the pacs.008 forms and the simple JSON form.
 */
import { randomBytes } from 'node:crypto';
import { ledgerAccountId } from '../../shared/iso20022/map';

export interface SimAccount {
  readonly ledgerId: string;
  readonly routingNumber: string;
  readonly accountNumber: string;
  readonly partnerIndex: number;
}

export interface SimPartner {
  readonly partnerId: string;
  readonly routingNumber: string;
  readonly keyId: string;
}

export interface SimWorld {
  /** Short id making every reference of this run unique (EndToEndId, MsgId, partner ids). */
  readonly runId: string;
  readonly partners: readonly SimPartner[];
  /** Funded accounts (debtors and creditors). */
  readonly accounts: readonly SimAccount[];
  /** Empty accounts by partner: debtors of the insufficient-funds share. */
  readonly emptyAccounts: readonly (readonly SimAccount[])[];
  /** The one account the hot share credits. */
  readonly hotAccount: SimAccount;
}

/** Balance of every funded account, minor units: far more than any run can spend. */
export const FUNDED_BALANCE_MINOR = 100_000_000_000;
export const EMPTY_ACCOUNTS_PER_PARTNER = 8;

/** A 9-digit routing number whose ABA 3-7-1 check digit is valid. */
export function abaRoutingNumber(prefix8: string): string {
  if (!/^[0-9]{8}$/.test(prefix8))
    throw new RangeError(`routing number prefix must be 8 digits, got '${prefix8}'`);
  const weights = [3, 7, 1, 3, 7, 1, 3, 7];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(prefix8.charAt(i)) * (weights[i] ?? 0);
  return `${prefix8}${(10 - (sum % 10)) % 10}`;
}

export function newRunId(): string {
  return randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
}

function account(partners: readonly SimPartner[], partnerIndex: number, number: string): SimAccount {
  const partner = partners[partnerIndex];
  if (partner === undefined) throw new RangeError(`no partner ${partnerIndex}`);
  return {
    ledgerId: ledgerAccountId(partner.routingNumber, number),
    routingNumber: partner.routingNumber,
    accountNumber: number,
    partnerIndex,
  };
}

export function planWorld(opts: {
  readonly partners: number;
  readonly accounts: number;
  readonly runId?: string;
}): SimWorld {
  const runId = opts.runId ?? newRunId();
  const partners: SimPartner[] = Array.from({ length: opts.partners }, (_, i) => {
    const partnerId = `bench-${runId}-p${i + 1}`;
    return {
      partnerId,
      routingNumber: abaRoutingNumber(`0911${String(i + 10).padStart(4, '0')}`),
      keyId: `${partnerId}-k1`,
    };
  });
  // Account numbers carry the run id, so a run against a long-lived stack (--url) never reuses
  // another run's balances.
  const accounts = Array.from({ length: opts.accounts }, (_, i) =>
    account(partners, i % opts.partners, `7${runId}${String(i).padStart(7, '0')}`),
  );
  const emptyAccounts = partners.map((_, p) =>
    Array.from({ length: EMPTY_ACCOUNTS_PER_PARTNER }, (_, j) =>
      account(partners, p, `8${runId}${String(p * 100 + j).padStart(7, '0')}`),
    ),
  );
  return { runId, partners, accounts, emptyAccounts, hotAccount: account(partners, 0, `9${runId}0000000`) };
}
