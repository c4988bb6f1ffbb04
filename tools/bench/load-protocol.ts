/**
 * The messages between the benchmark and its load-generator process (load-process.ts spawns
 * load-child.ts), validated on arrival on both sides.
 */
import { z } from 'zod';
import { SHED_CODES, type LoadPlan, type LoadProgress, type SendRecord } from './load';
import type { SimAccount } from './world';

const Account: z.ZodType<SimAccount> = z.object({
  ledgerId: z.string(),
  routingNumber: z.string(),
  accountNumber: z.string(),
  partnerIndex: z.number().int().nonnegative(),
});

const Plan: z.ZodType<LoadPlan> = z.object({
  baseUrl: z.string(),
  phase: z.string(),
  rate: z.number().positive(),
  durationSeconds: z.number().positive(),
  maxPayments: z.number().int().positive().optional(),
  arrivals: z.enum(['poisson', 'uniform']),
  seed: z.number().int(),
  mix: z.object({
    hotShare: z.number().min(0).max(1),
    invalidShare: z.number().min(0).max(1),
    nsfShare: z.number().min(0).max(1),
    form: z.enum(['xml', 'json', 'simple', 'mix']),
  }),
  world: z.object({
    runId: z.string(),
    partners: z.array(z.object({ partnerId: z.string(), routingNumber: z.string(), keyId: z.string() })),
    accounts: z.array(Account),
    emptyAccounts: z.array(z.array(Account)),
    hotAccount: Account,
  }),
  keys: z.array(
    z.object({
      keyId: z.string(),
      alg: z.enum(['ed25519', 'hmac-sha256']),
      privateKeyPem: z.string().optional(),
      secret: z.string().optional(),
    }),
  ),
  timeoutMs: z.number().positive(),
});

const Progress: z.ZodType<LoadProgress> = z.object({
  elapsedMs: z.number(),
  scheduled: z.number(),
  sent: z.number(),
  completed: z.number(),
  inFlight: z.number(),
  byStatus: z.record(z.string(), z.number()),
  lastSendLagMs: z.number(),
});

const SendRecordSchema: z.ZodType<SendRecord> = z.object({
  seq: z.number().int(),
  kind: z.enum(['normal', 'hot', 'nsf', 'invalid']),
  form: z.enum(['xml', 'json', 'simple']),
  partnerIndex: z.number().int(),
  endToEndId: z.string(),
  intendedAt: z.number(),
  sentAt: z.number(),
  respondedAt: z.number(),
  status: z.number().int(),
  paymentId: z.string().optional(),
  error: z.string().optional(),
  shed: z.enum(SHED_CODES).optional(),
  retryAfterSeconds: z.number().optional(),
  requestBytes: z.number().int(),
});

export type ToChild = { readonly type: 'run'; readonly plan: LoadPlan };
export type FromChild =
  | { readonly type: 'progress'; readonly progress: LoadProgress }
  | { readonly type: 'done'; readonly records: readonly SendRecord[] }
  | { readonly type: 'failed'; readonly message: string };

const ToChildSchema: z.ZodType<ToChild> = z.object({ type: z.literal('run'), plan: Plan });
const FromChildSchema: z.ZodType<FromChild> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), progress: Progress }),
  z.object({ type: z.literal('done'), records: z.array(SendRecordSchema) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);

export function parseToChild(message: unknown): ToChild {
  return ToChildSchema.parse(message);
}

export function parseFromChild(message: unknown): FromChild {
  return FromChildSchema.parse(message);
}
