import * as z from 'zod/mini';
import { isCurrencyCode } from './currency';
import { MalformedRequestError } from './errors';
import type { SettlementMessage } from './payment';

/**
 * The queue contract between submit and settle, validated on receipt. Versioned (`v`): a new
 * version of the service must keep accepting the previous version while a deploy shifts traffic.
 */
const SettlementMessageV1 = z.object({
  v: z.literal(1),
  paymentId: z.string().check(z.minLength(1)),
  partnerId: z.string().check(z.minLength(1)),
  debtorAccount: z.string().check(z.minLength(1)),
  creditorAccount: z.string().check(z.minLength(1)),
  amountMinor: z.int().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER)),
  currency: z.string().check(z.refine(isCurrencyCode)),
  deadline: z.iso.datetime(),
  acceptedAt: z.iso.datetime(),
  endToEndId: z.string().check(z.minLength(1)),
  msgId: z.optional(z.string()),
});

export function parseSettlementMessage(body: string): SettlementMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedRequestError('settlement message is not JSON');
  }
  const parsed = SettlementMessageV1.safeParse(json);
  if (!parsed.success) {
    throw new MalformedRequestError(
      `invalid settlement message: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return parsed.data;
}
