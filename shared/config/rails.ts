import * as z from 'zod/mini';
import { ConfigError } from '../domain/errors';

/**
 * Rail parameters that change over time (network limits, timeout clocks, clock skew), in ONE
 * place, each with its value, its source and the date it was last checked. Read once at module
 * load and validated with zod: a bad edit fails at cold start, not on a payment.
 *
 * Sources (checked 2026-12-04, see shared/iso20022/README.md "Rail rules and sources"):
 *  - FedNow network limit: USD 500,000 at launch (July 2023), raised to USD 1,000,000 on
 *    2025-06-24 (frbservices.org press release "FedNow Service launches new risk mitigation
 *    features and $1 million transaction limit") and to USD 10,000,000 in November 2025
 *    (announced 2025-09-09; paymentsdive.com, digitaltransactions.net, americanbanker.com).
 *  - TCH RTP network limit: USD 10,000,000 effective 2025-02-09 (TCH press release of
 *    2024-12-04, via finextra.com / epayresources.org; USD 1,000,000 since 2022-04-18 before).
 *  - Timeout clock: FedNow's is 20 seconds (frbservices.org, quoted by EPCOR "Five Fun Facts
 *    About the FedNow Payment Flow", 2023). RTP: see the README (not verified from TCH rules).
 */
const Source = z.object({
  source: z.string().check(z.minLength(1)),
  /** When the value took effect on the rail (ISO date or month). */
  effective: z.string().check(z.regex(/^\d{4}-\d{2}(-\d{2})?$/)),
  /** When someone last checked the value against its source. */
  checked: z.iso.date(),
});

const RailConfigSchema = z.object({
  limit: z.extend(Source, {
    currency: z.literal('USD'),
    /** Per-transaction network limit in minor units (cents). */
    limitMinor: z.number().check(z.int(), z.positive()),
  }),
  timeout: z.extend(Source, {
    /** Seconds from GrpHdr/CreDtTm within which the rail completes or times out a payment. */
    seconds: z.number().check(z.int(), z.positive(), z.lte(300)),
  }),
});

/**
 * TCH participant id: 9-digit routing number + 2-character connection suffix (TCH's AppHdr
 * Fr/To MmbId is Min11Max11Text, and its MsgId / BizMsgIdr patterns carry it as `[A-Z0-9]{11}`
 * after the date: head.001.001.01 and pacs.002.001.10 usage schemas in
 * shared/iso20022/schema/xsd/rtp/).
 */
export const TCH_PARTICIPANT_ID = /^[0-9]{9}[A-Z0-9]{2}$/;

const RailsConfigSchema = z.object({
  fednow: RailConfigSchema,
  rtp: z.extend(RailConfigSchema, {
    /** This service's own TCH participant id: AppHdr Fr and the MsgId of every RTP report we send. */
    participantId: z.string().check(z.regex(TCH_PARTICIPANT_ID)),
  }),
  /** Tolerated clock difference for a CreDtTm in the future (partner clock ahead of ours). */
  clockSkewSeconds: z.number().check(z.int(), z.gte(0), z.lte(60)),
});

export type RailsConfig = z.infer<typeof RailsConfigSchema>;

const RAILS: unknown = {
  fednow: {
    limit: {
      currency: 'USD',
      limitMinor: 10_000_000_00,
      effective: '2025-11',
      checked: '2026-12-04',
      source:
        'Federal Reserve Financial Services announcement of 2025-09-09 (FedNow limit $1M -> $10M in November 2025); ' +
        'previous raise $500K -> $1M: frbservices.org press release 2025-06-24',
    },
    timeout: {
      seconds: 20,
      effective: '2023-07',
      checked: '2026-12-04',
      source:
        'FedNow timeout clock of 20 seconds (frbservices.org FedNow features; FedNow Operating Procedures)',
    },
  },
  rtp: {
    limit: {
      currency: 'USD',
      limitMinor: 10_000_000_00,
      effective: '2025-02-09',
      checked: '2026-12-04',
      source:
        'The Clearing House press release 2024-12-04: RTP transaction limit $1M -> $10M effective 2025-02-09',
    },
    timeout: {
      seconds: 20,
      effective: '2017-11',
      checked: '2026-12-04',
      source:
        'NOT VERIFIED against the TCH RTP Operating Rules (not public here): the same 20 s as FedNow, from CreDtTm',
    },
    // PLACEHOLDER until TCH assigns this service its participant id (routing number of the
    // sample's receiving participant, 000000010, + connection suffix T1): replace it per
    // deployment with the id TCH assigned; it must keep the pattern above.
    participantId: '000000010T1',
  },
  clockSkewSeconds: 5,
};

export function parseRailsConfig(value: unknown): RailsConfig {
  const parsed = RailsConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid rails config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** The rails configuration, validated once at module load. */
export const RAILS_CONFIG: RailsConfig = parseRailsConfig(RAILS);
