import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { restampPacs008, type Restamped } from '../restamp';
import type { PartnerContext } from '../validate';

/**
 * A fixture restamped for `now` (CreDtTm, IntrBkSttlmDt, MsgId/BizMsgIdr, EndToEndId, UETR):
 * the real samples are from 2023 and the rail clock rules refuse them as they are.
 */
export function restampedFixture(relativePath: string, now: number = Date.now()): Restamped {
  return restampPacs008(fixture(relativePath), { now });
}

/** Reads a fixture (path relative to this folder) as UTF-8 text. */
export function fixture(relativePath: string): string {
  return readFileSync(join(__dirname, relativePath), 'utf8');
}

export interface Pacs008Sample {
  readonly file: string;
  readonly rail: 'fednow' | 'rtp';
  readonly envelope: 'document' | 'fednow' | 'tch';
  /** The calling partner: its institution is the sample's debtor / instructing agent. */
  readonly partner: PartnerContext;
  /**
   * The TCH sample uses test participant ids (234567891, 000000010) that fail the ABA check
   * digit: it validates with the check digit off (see README "Decisions").
   */
  readonly routingCheckDigit: boolean;
  readonly expected: {
    readonly endToEndId: string;
    readonly amountMinor: number;
    readonly debtor: string;
    readonly creditor: string;
  };
}

const FEDNOW_PARTNER: PartnerContext = { partnerId: 'bank-a', agentIds: ['011104238'] };
const fednow = (
  file: string,
  endToEndId: string,
  envelope: Pacs008Sample['envelope'] = 'document',
): Pacs008Sample => ({
  file,
  rail: 'fednow',
  envelope,
  partner: FEDNOW_PARTNER,
  routingCheckDigit: true,
  expected: {
    endToEndId,
    amountMinor: 5174,
    debtor: '011104238:0031234567',
    creditor: '021040078:56478374687',
  },
});

/** Every pacs.008 sample we hold (real ones, plus the derived FedNow envelope around head.001). */
export const PACS008_SAMPLES: readonly Pacs008Sample[] = [
  fednow('fednow/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml', 'Scenario01EtoEId001'),
  fednow('fednow/CustomerCreditTransfer_Scenario2_Step1_pacs.008.xml', 'Scenario02EtoEId001'),
  fednow('fednow/CustomerCreditTransfer_Scenario3_Step1_pacs.008.xml', 'Scenario03EtoEId001'),
  fednow('fednow/CustomerCreditTransfer_Variation1_pacs.008_Purpose.xml', 'Variation1EtoEId001'),
  fednow('fednow/CustomerCreditTransfer_Variation2_pacs.008_StructuredRemit.xml', 'Variation2EtoEId001'),
  fednow('fednow/derived/FedNowIncoming_head.001_Scenario1_pacs.008.xml', 'Scenario01EtoEId001', 'fednow'),
  {
    file: 'rtp/pacs008.xml',
    rail: 'rtp',
    envelope: 'tch',
    partner: { partnerId: 'tch-bank', agentIds: ['234567891'] },
    routingCheckDigit: false,
    expected: {
      endToEndId: 'EOTS',
      amountMinor: 4615449,
      debtor: '234567891:US88664715164441',
      creditor: '000000010:42341169728762787',
    },
  },
];

/** The real head.001 sample: an AppHdr alone (FedNow message retrieval), no Document. */
export const HEAD001_ONLY = 'fednow/MessageRetrieval_Scenario2_Step2_head.001_pacs.008.xml';
export const FEDNOW_SCENARIO1 = 'fednow/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml';
export const RTP_PACS008 = 'rtp/pacs008.xml';
