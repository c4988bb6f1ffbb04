import { createHash } from 'node:crypto';
import type { PaymentInstruction } from '../domain/payment';
import type { ValidatedPacs008 } from './validate';

/**
 * Ledger account id of a customer account: `${agentMemberId}:${accountId}`.
 *  - agentMemberId: the account's agent (DbtrAgt / CdtrAgt) by ABA routing number
 *    (ClrSysMmbId/MmbId), or its BIC (BICFI, BIC11 `XXX` folded to BIC8) when it has none;
 *  - accountId: the IBAN (upper case), else Othr/Id verbatim, else `tel:+E164` for a mobile
 *    wallet (a Prxy of type MBNO/TELE, or a `+` number in Othr/Id), else `proxy:<TYPE>:<id>`
 *    for any other proxy (e-mail lower-cased), also when Othr/Id is the NOTPROVIDED placeholder.
 * e.g. `011104238:0031234567`, `021040078:tel:+15555550100`, `DEUTDEFF:DE89370400440532013000`,
 * `021040078:proxy:EMAL:jane@example.com`.
 * The agent prefix keeps two banks' identical account numbers apart.
 */
export function ledgerAccountId(agentMemberId: string, accountId: string): string {
  return `${agentMemberId}:${accountId}`;
}

type Canonical =
  string | number | boolean | null | readonly Canonical[] | { readonly [key: string]: Canonical | undefined };

/** JSON with object keys sorted at every level and undefined members dropped: a stable byte form. */
export function canonicalJson(value: Canonical): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: Canonical) => canonicalJson(v)).join(',')}]`;
  const record = value as { readonly [key: string]: Canonical | undefined };
  const members = Object.keys(record)
    .sort()
    .flatMap((key) => {
      const member = record[key];
      return member === undefined ? [] : [`${JSON.stringify(key)}:${canonicalJson(member)}`];
    });
  return `{${members.join(',')}}`;
}

/**
 * sha-256 (hex) of the business content: amount, currency, both accounts and agents, the
 * transaction references (EndToEndId, InstrId, TxId, UETR) and the settlement date. The
 * transport-level GrpHdr (MsgId, CreDtTm), the envelope, names and remittance text are left
 * out, so a re-sent message (even under a new MsgId, or as XML vs JSON) hashes equal, and any
 * change to what moves money hashes differently.
 */
export function pacs008ContentHash(msg: ValidatedPacs008): string {
  const content = {
    v: 1,
    amountMinor: msg.amount.amountMinor,
    currency: msg.amount.currency,
    debtorAccount: ledgerAccountId(msg.debtor.agentMemberId, msg.debtor.accountId),
    creditorAccount: ledgerAccountId(msg.creditor.agentMemberId, msg.creditor.accountId),
    instructingAgent: msg.instructingAgentId,
    instructedAgent: msg.instructedAgentId,
    endToEndId: msg.references.endToEndId,
    instrId: msg.references.instrId,
    txId: msg.references.txId,
    uetr: msg.references.uetr,
    settlementDate: msg.settlementDate,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Maps a validated pacs.008 to the core's PaymentInstruction (source 'pacs.008'). */
export function toPaymentInstruction(msg: ValidatedPacs008, partnerId: string): PaymentInstruction {
  return {
    partnerId,
    references: msg.references,
    debtorAccount: ledgerAccountId(msg.debtor.agentMemberId, msg.debtor.accountId),
    creditorAccount: ledgerAccountId(msg.creditor.agentMemberId, msg.creditor.accountId),
    amount: msg.amount,
    settlementDate: msg.settlementDate,
    source: 'pacs.008',
    contentHash: pacs008ContentHash(msg),
    ...(msg.railDeadline !== undefined ? { railDeadline: msg.railDeadline } : {}),
  };
}
