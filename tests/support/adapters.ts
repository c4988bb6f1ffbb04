import { randomUUID } from 'node:crypto';
import type { Config } from '../../shared/config/config';
import { testConfig } from './config';
import { buildDataAdapters, type DataAdapters } from '../../shared/wiring/data';
import type { CurrencyCode } from '../../shared/domain/currency';
import type { AccountStatus } from '../../shared/domain/account';
import { systemClock } from '../../shared/domain/ports';
import { submitPayment } from '../../shared/app/submit';
import { instruction, USD } from '../../shared/testing/builders';
import { FakeQueue } from '../../shared/testing/fakes';
import type { SettlementMessage } from '../../shared/domain/settlement-message';

export { testConfig };

/** Adapters for integration tests, on the stand-ins (see ./config.ts). */
export function testAdapters(config: Config = testConfig()): DataAdapters {
  return buildDataAdapters(config);
}

/** A unique account id, so tests sharing DynamoDB Local never see each other's data. */
export function uniqueAccount(label = 'acct'): string {
  return `${label}-${randomUUID()}`;
}

/**
 * A unique ledger account id in the real form `<institution>:<account>`, as the HTTP intake
 * takes it: `021000021` is the seeded demo partner's (demo-bank) routing number.
 */
export function institutionAccount(institution: string, label = 'acct'): string {
  return `${institution}:${label}-${randomUUID()}`;
}

export async function openAccount(
  adapters: DataAdapters,
  accountId: string,
  balanceMinor: number,
  options: { status?: AccountStatus; currency?: string; overdraftLimitMinor?: number; owner?: string } = {},
): Promise<void> {
  await adapters.ledger.putAccount({
    accountId,
    ownerPartnerId: options.owner ?? 'partner-test',
    currency: (options.currency ?? 'USD') as CurrencyCode,
    status: options.status ?? 'OPEN',
    balanceMinor,
    overdraftLimitMinor: options.overdraftLimitMinor ?? 0,
  });
}

/**
 * Records a payment through the real submit use case (queue faked) and returns the settlement
 * message it would have queued: what settle tests feed the ledger.
 */
export async function acceptedMessage(
  adapters: DataAdapters,
  p: { debtor: string; creditor: string; amountMinor: number; partnerId: string },
): Promise<SettlementMessage> {
  const queue = new FakeQueue();
  await submitPayment(
    instruction({
      partnerId: p.partnerId,
      references: { endToEndId: randomUUID().slice(0, 30) },
      debtorAccount: p.debtor,
      creditorAccount: p.creditor,
      amount: { amountMinor: p.amountMinor, currency: USD },
    }),
    { store: adapters.payments, queue, clock: systemClock, slaSeconds: 15 },
  );
  const message = queue.messages[0];
  if (!message) throw new Error('not enqueued');
  return message;
}
