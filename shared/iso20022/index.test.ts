import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors';
import { fixture, FEDNOW_SCENARIO1, RTP_PACS008 } from './__fixtures__';
import { parsePaymentMessage, toPacs008Json } from './index';

const fednowXml = fixture(FEDNOW_SCENARIO1);

describe('parsePaymentMessage', () => {
  it('dispatches XML content types and reports transport and rail', () => {
    for (const contentType of [
      'application/xml',
      'text/xml',
      'application/xml; charset=utf-8',
      'Text/XML;charset="UTF-8"',
    ]) {
      const parsed = parsePaymentMessage({ body: Buffer.from(fednowXml), contentType });
      expect(parsed.transport).toEqual({ format: 'xml', envelope: 'document' });
      expect(parsed.rail).toBe('fednow');
    }
    const rtp = parsePaymentMessage({ body: fixture(RTP_PACS008), contentType: 'application/xml' });
    expect([rtp.transport, rtp.rail]).toEqual([{ format: 'xml', envelope: 'tch' }, 'rtp']);
  });

  it('dispatches JSON and gives the same document', () => {
    const xml = parsePaymentMessage({ body: fednowXml, contentType: 'application/xml' });
    const json = parsePaymentMessage({
      body: JSON.stringify(toPacs008Json(xml)),
      contentType: 'application/json',
    });
    expect(json.document).toEqual(xml.document);
    expect([json.transport, json.rail]).toEqual([{ format: 'json' }, 'fednow']);
  });

  it('refuses other media types and charsets with UnsupportedMediaTypeError', () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
      'application/xml; charset=iso-8859-1',
      'application/soap+xml',
    ]) {
      expect(() => parsePaymentMessage({ body: fednowXml, contentType })).toThrow(UnsupportedMediaTypeError);
    }
  });

  it('refuses invalid JSON and oversize bodies', () => {
    expect(() =>
      parsePaymentMessage({ body: '{"FIToFICstmrCdtTrf":', contentType: 'application/json' }),
    ).toThrow(MalformedRequestError);
    expect(() =>
      parsePaymentMessage({ body: `"${'x'.repeat(70_000)}"`, contentType: 'application/json' }),
    ).toThrow(PayloadTooLargeError);
    expect(() =>
      parsePaymentMessage({ body: fednowXml, contentType: 'application/xml', limits: { maxBytes: 1024 } }),
    ).toThrow(PayloadTooLargeError);
  });

  it('refuses a JSON form that repeats a member name, naming it (JSON.parse would keep the last)', () => {
    const xml = parsePaymentMessage({ body: fednowXml, contentType: 'application/xml' });
    const text = JSON.stringify(toPacs008Json(xml));
    // Repeat the first member of the GrpHdr object with another value.
    const doubled = text.replace('"GrpHdr":{"MsgId":', '"GrpHdr":{"MsgId":"forged","MsgId":');
    expect(doubled).not.toBe(text);
    expect(() => parsePaymentMessage({ body: doubled, contentType: 'application/json' })).toThrow(
      "duplicate key 'MsgId'",
    );
    expect(() => parsePaymentMessage({ body: doubled, contentType: 'application/json' })).toThrow(
      MalformedRequestError,
    );
  });
});
