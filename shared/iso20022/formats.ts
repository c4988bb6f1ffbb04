/**
 * Format checks for ISO 20022 data types used by FedNow and TCH RTP. Pure predicates: the
 * caller decides the field path and the reason code.
 */

/**
 * ABA routing transit number: 9 digits whose weighted sum with weights 3,7,1 repeated is a
 * multiple of 10 (ABA / Federal Reserve "check digit" rule).
 */
export function isRoutingNumberShape(value: string): boolean {
  return /^[0-9]{9}$/.test(value);
}

export function hasValidAbaCheckDigit(value: string): boolean {
  if (!isRoutingNumberShape(value)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(value.charAt(i)) * (weights[i] ?? 0);
  return sum % 10 === 0;
}

/** ISO 9362 BIC (BICFIDec2014Identifier): 4 alnum party prefix, 2-letter country, 2 alnum, optional 3 alnum branch. */
export function isBic(value: string): boolean {
  return /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value);
}

/** BIC11 with the primary-office branch `XXX` is the same institution as its BIC8. */
export function normalizeBic(value: string): string {
  const upper = value.toUpperCase();
  return upper.length === 11 && upper.endsWith('XXX') ? upper.slice(0, 8) : upper;
}

/** IBAN2007Identifier shape + ISO 13616 mod-97 checksum (remainder must be 1). */
export function isValidIban(value: string): boolean {
  const iban = value.toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    // Letters count as two digits: A = 10 ... Z = 35.
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/**
 * A phone number used as a mobile-wallet id, normalised to E.164 (`+` then 1..15 digits, no
 * leading 0 in the country code). The ISO 20022 PhoneNumber style `+1-5555550100` is accepted
 * and normalised by dropping the hyphens. Returns undefined when it is not a phone number.
 */
export function toE164(value: string): string | undefined {
  if (!/^\+[0-9-]+$/.test(value)) return undefined;
  const digits = value.slice(1).replace(/-/g, '');
  return /^[1-9][0-9]{0,14}$/.test(digits) ? `+${digits}` : undefined;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/** ISODate (xs:date without zone, as used by IntrBkSttlmDt): YYYY-MM-DD, a real calendar day. */
export function isIsoDate(value: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * ISODateTime (xs:dateTime): YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm]. The offset is
 * optional: TCH RTP sends US Eastern local time without one, FedNow sends an offset.
 */
export function isIsoDateTime(value: string): boolean {
  const m =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-]([0-9]{2}):([0-9]{2}))?$/.exec(
      value,
    );
  if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  return m[9] === undefined || (Number(m[9]) <= 14 && Number(m[10]) <= 59);
}

/** `YYYYMMDD` as a real calendar day. */
export function isCompactDate(value: string): boolean {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(value);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** ISO 20022 UUIDv4Identifier (UETR), lower-case hex as in the schema pattern. */
export function isUetr(value: string): boolean {
  return /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/.test(value);
}

/** MaxNText: 1..max characters (code points). */
export function isMaxText(value: string, max: number): boolean {
  const length = [...value].length;
  return length >= 1 && length <= max;
}
