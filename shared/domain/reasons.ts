/**
 * ISO 20022 external status reason codes (ExternalStatusReason1Code) used by this service.
 * A rejection always carries one of these, so partners can act on it without parsing prose.
 */
export const REASON_CODES = {
  AB05: 'Timeout: clearing process aborted, time-out at the creditor side',
  AB06: 'Timeout: the payment could not be settled before its deadline',
  AC02: 'Invalid debtor account number',
  AC03: 'Invalid creditor account number',
  AC04: 'Account closed',
  AC06: 'Account blocked',
  AG01: 'Transaction forbidden on this type of account or for this partner',
  AM02: 'Amount exceeds the maximum allowed',
  AM03: 'Currency not allowed for the account',
  AM04: 'Insufficient funds',
  AM12: 'Invalid amount',
  DUPL: 'Duplicate payment',
  FF01: 'Invalid file format',
  NARR: 'Narrative reason',
  RC01: 'Bank identifier (BIC / routing number) incorrect',
  RC02: 'Invalid bank identifier',
  RR04: 'Regulatory reason',
  TM01: 'Received after the cut-off time',
  DT01: 'Invalid date',
  CH11: 'Value in creditor identifier is incorrect',
  BE04: 'Missing creditor address',
  AGNT: 'Incorrect agent',
  CURR: 'Incorrect currency',
  MS03: 'Reason not specified',
  NOAS: 'No answer from customer',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

export function isReasonCode(code: string): code is ReasonCode {
  return Object.prototype.hasOwnProperty.call(REASON_CODES, code);
}
