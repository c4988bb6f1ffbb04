import accountItemV1 from './formats/v1/account-item.json';
import paymentItemV1 from './formats/v1/payment-item.json';
import settlementMessageIsoV1 from './formats/v1/settlement-message-iso.json';
import settlementMessageV1 from './formats/v1/settlement-message.json';

/**
 * The history of the formats that two versions of the service exchange while a deployment shifts
 * traffic (docs/release.md, "Compatibility across versions"): one frozen sample per format
 * version, exactly as the release that introduced it wrote it (v1: commit 52addb0, the first
 * release; generated with toSettlementMessage / toPaymentItem / DynamoLedger.putAccount).
 *
 * NEVER edit a sample: a release that changes a format adds a new version here, and the
 * compatibility tests (tests/integration/message-compat.test.ts) keep proving that the current
 * code reads every version a running or queued peer may still write, and writes nothing the
 * previous release cannot read.
 */
export interface FormatSample {
  /** Format version: the queue message's `v`; items carry none yet (absent = 1). */
  readonly version: number;
  /** The release that introduced it. */
  readonly since: string;
  readonly sample: Readonly<Record<string, unknown>>;
}

export const FORMAT_HISTORY = {
  /** The SQS FIFO message submit sends and settle reads (shared/domain/settlement-message.ts). */
  settlementMessage: [
    { version: 1, since: '52addb0', sample: settlementMessageV1 },
    { version: 1, since: '52addb0', sample: settlementMessageIsoV1 },
  ],
  /** The payments table item `PAY#<id>` / `PAYMENT` (shared/adapters/dynamodb/payment-items.ts). */
  paymentItem: [{ version: 1, since: '52addb0', sample: paymentItemV1 }],
  /** The ledger table item `ACCT#<id>` / `ACCOUNT` (shared/adapters/dynamodb/ledger.ts). */
  accountItem: [{ version: 1, since: '52addb0', sample: accountItemV1 }],
} as const satisfies Record<string, readonly FormatSample[]>;

/** The fields every sample of a format's versions has: what a reader of that format may require. */
export function fieldsOf(samples: readonly FormatSample[]): string[] {
  return [...new Set(samples.flatMap((s) => Object.keys(s.sample)))].sort();
}
