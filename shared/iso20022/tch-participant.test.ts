import { TCH_PARTICIPANT_ID, RAILS_CONFIG } from '../config/rails';
import { tchSenderParticipantId } from './rails';

describe('TCH participant ids (AppHdr Fr / To, Min11Max11Text)', () => {
  const msgId = 'M20230713234567891T1BOTS02083825666';

  it("takes the AppHdr Fr member id, else the one TCH's MsgId convention carries", () => {
    expect(tchSenderParticipantId('234567891X9', msgId)).toBe('234567891X9');
    expect(tchSenderParticipantId(undefined, msgId)).toBe('234567891T1');
    expect(tchSenderParticipantId('', msgId)).toBe('234567891T1');
    // Not TCH's shape (9-digit routing number, lower case): the MsgId's id instead.
    expect(tchSenderParticipantId('234567891', msgId)).toBe('234567891T1');
    expect(tchSenderParticipantId('234567891t1', msgId)).toBe('234567891T1');
  });

  it('has none when neither is readable', () => {
    expect(tchSenderParticipantId(undefined, undefined)).toBeUndefined();
    expect(tchSenderParticipantId(undefined, '20230604011104238Sc01Step1MsgId')).toBeUndefined();
  });

  it('our own configured id is 9 digits + a 2-character suffix', () => {
    expect(RAILS_CONFIG.rtp.participantId).toMatch(TCH_PARTICIPANT_ID);
    expect(RAILS_CONFIG.rtp.participantId).toHaveLength(11);
  });
});
