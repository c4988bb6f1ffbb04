import {
  hasValidAbaCheckDigit,
  isBic,
  isIsoDate,
  isIsoDateTime,
  isUetr,
  isValidIban,
  normalizeBic,
  toE164,
} from './formats';

describe('formats', () => {
  it('ABA routing check digit (3-7-1 weights)', () => {
    for (const ok of ['011104238', '021040078', '021150706', '011000015', '987654320', '123456780']) {
      expect(hasValidAbaCheckDigit(ok)).toBe(true);
    }
    for (const bad of ['011104239', '234567891', '000000010', '12345678', '12345678a', '0111042380']) {
      expect(hasValidAbaCheckDigit(bad)).toBe(false);
    }
  });

  it('IBAN mod-97', () => {
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('gb82west12345698765432')).toBe(true);
    expect(isValidIban('GB82WEST12345698765433')).toBe(false);
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(false);
    expect(isValidIban('XX')).toBe(false);
  });

  it('BIC shape and BIC11 XXX folding', () => {
    expect(isBic('BOFAUS3N')).toBe(true);
    expect(isBic('BOFAUS3NXXX')).toBe(true);
    expect(isBic('BOFA1S3N')).toBe(false);
    expect(isBic('bofaus3n')).toBe(false);
    expect(isBic('BOFAUS3NXX')).toBe(false);
    expect(normalizeBic('bofaus3nxxx')).toBe('BOFAUS3N');
    expect(normalizeBic('BOFAUS3N123')).toBe('BOFAUS3N123');
  });

  it('E.164 phone numbers', () => {
    expect(toE164('+15555550100')).toBe('+15555550100');
    expect(toE164('+1-555-555-0100')).toBe('+15555550100');
    expect(toE164('+123456789012345')).toBe('+123456789012345');
    for (const bad of ['15555550100', '+', '+0123', '+1234567890123456', '+1 555', '+1(555)'])
      expect(toE164(bad)).toBeUndefined();
  });

  it('ISO dates and date-times', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-6-4')).toBe(false);
    for (const ok of [
      '2023-06-04T10:55:26-04:00',
      '2023-07-13T15:29:36',
      '2023-07-13T15:29:36.123Z',
      '2023-07-13T23:59:59+14:00',
    ]) {
      expect(isIsoDateTime(ok)).toBe(true);
    }
    for (const bad of [
      '2023-07-13',
      '2023-07-13T24:00:00',
      '2023-07-13T15:29',
      '2023-07-13T15:29:36+15:00',
      '2023-07-13T15:29:36-0400',
    ]) {
      expect(isIsoDateTime(bad)).toBe(false);
    }
  });

  it('UETR is a lower-case UUID v4', () => {
    expect(isUetr('8a562c67-ca16-48ba-b074-65581be6f011')).toBe(true);
    expect(isUetr('8a562c67-ca16-18ba-b074-65581be6f011')).toBe(false);
    expect(isUetr('8A562C67-CA16-48BA-B074-65581BE6F011')).toBe(false);
  });
});
