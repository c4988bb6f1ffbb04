import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { fixture } from '../../iso20022/__fixtures__';
import { MAX_BODY_BYTES, readJsonBody, readPaymentBody, readStatusRequest } from './body';
import { httpStatusOf } from './errors';

const json = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('readJsonBody', () => {
  it('parses a JSON object', () => {
    expect(readJsonBody(json('{"amountMinor":100,"currency":"USD"}'), 'application/json')).toEqual({
      amountMinor: 100,
      currency: 'USD',
    });
  });

  it('refuses a duplicate member name at any depth with 400 FF01 naming the key', () => {
    for (const text of [
      '{"amountMinor":1,"amountMinor":100000}',
      '{"creditor":{"accountId":"a","name":"x","accountId":"b"}}',
      '{"list":[{"k":1},{"k":2,"k":3}]}',
    ]) {
      let error: unknown;
      try {
        readJsonBody(json(text), 'application/json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MalformedRequestError);
      expect(error).toMatchObject({ code: 'FF01' });
      expect(httpStatusOf(error as MalformedRequestError)).toBe(400);
    }
    expect(() => readJsonBody(json('{"amountMinor":1,"amountMinor":100000}'), 'application/json')).toThrow(
      "duplicate key 'amountMinor'",
    );
  });

  it('refuses oversize bodies with 413, before parsing', () => {
    const body = json(`"${'x'.repeat(MAX_BODY_BYTES)}"`);
    expect(() => readJsonBody(body, 'application/json')).toThrow(PayloadTooLargeError);
  });

  it('refuses other media types with 415', () => {
    expect(() => readJsonBody(json('{}'), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    expect(() => readJsonBody(json('{}'), undefined)).toThrow(UnsupportedMediaTypeError);
  });

  it('accepts UTF-8, with or without a charset parameter, and non-ASCII text intact', () => {
    const body = json('{"name":"Zoë 😀"}');
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;Charset="UTF-8"',
    ]) {
      expect(readJsonBody(body, type)).toEqual({ name: 'Zoë 😀' });
    }
    expect(
      readJsonBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json('{"a":1}')]), 'application/json'),
    ).toEqual({ a: 1 });
  });

  it('refuses a charset other than UTF-8 with 415', () => {
    for (const type of [
      'application/json; charset=iso-8859-1',
      'application/json;charset=utf-16',
      'application/json; charset="windows-1252"',
      'application/json; charset=',
    ]) {
      expect(() => readJsonBody(json('{"a":1}'), type)).toThrow(UnsupportedMediaTypeError);
    }
  });

  it('refuses invalid UTF-8 with 400 FF01 instead of replacing it', () => {
    for (const bytes of [
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], // 0xFF never occurs in UTF-8
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d], // truncated two-byte sequence
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d], // overlong '/'
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], // encoded surrogate
    ]) {
      expect(() => readJsonBody(Buffer.from(bytes), 'application/json')).toThrow(MalformedRequestError);
      expect(() => readJsonBody(Buffer.from(bytes), 'application/json')).toThrow('not valid UTF-8');
    }
  });
});

describe('readPaymentBody', () => {
  it.each([
    ['application/xml', '<Document/>', 'pacs.008'],
    ['text/xml; charset=utf-8', '<Document/>', 'pacs.008'],
    ['application/json', ' {\n "FIToFICstmrCdtTrf": {}}', 'pacs.008'],
    ['application/json', '{"endToEndId":"x"}', 'json'],
  ] as const)('%s %s -> %s', (type, body, form) => {
    expect(readPaymentBody(Buffer.from(body), type).form).toBe(form);
  });

  it('hands a pacs.008 to the ISO parser with the one body limit, and parses the simple form', () => {
    expect(readPaymentBody(Buffer.from('<Document/>'), 'application/xml')).toMatchObject({
      form: 'pacs.008',
      contentType: 'application/xml',
      maxBytes: MAX_BODY_BYTES,
    });
    expect(readPaymentBody(Buffer.from('{"endToEndId":"x"}'), 'application/json')).toEqual({
      form: 'json',
      value: { endToEndId: 'x' },
    });
    // The simple form's charset rule holds behind the form detection.
    expect(() => readPaymentBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-16')).toThrow(
      UnsupportedMediaTypeError,
    );
  });

  it('refuses other media types and oversized bodies', () => {
    expect(() => readPaymentBody(Buffer.from('x'), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    // No Content-Type: the body's form is never guessed.
    expect(() => readPaymentBody(Buffer.from('{"endToEndId":"x"}'), undefined)).toThrow(
      UnsupportedMediaTypeError,
    );
    expect(() => readPaymentBody(Buffer.alloc(MAX_BODY_BYTES + 1), 'application/json')).toThrow(
      PayloadTooLargeError,
    );
  });
});

const UETR = '8a562c67-ca16-48ba-b074-65581be6f011';
const jsonForm = JSON.stringify({ FIToFIPmtStsReq: { GrpHdr: { MsgId: 'Q1' }, TxInf: { OrgnlUETR: UETR } } });
const xmlForm = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml');

/** Pads a valid body past the limit with insignificant whitespace (still valid JSON / XML). */
function oversize(text: string): Buffer {
  return Buffer.from(text + ' '.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(text)), 'utf8');
}

describe('readStatusRequest', () => {
  it('reads both forms and says which the answer mirrors', () => {
    expect(readStatusRequest(Buffer.from(jsonForm), 'application/json')).toEqual({
      request: { msgId: 'Q1', original: { uetr: UETR } },
      format: 'application/json',
    });
    const xml = readStatusRequest(Buffer.from(xmlForm), 'application/xml; charset=utf-8');
    expect(xml.format).toBe('application/xml');
    expect(xml.request.original.uetr).toBe(UETR);
  });

  it('applies the POST /payments body limit to both forms (413), before parsing', () => {
    expect(Buffer.byteLength(jsonForm)).toBeLessThan(MAX_BODY_BYTES);
    expect(() => readStatusRequest(oversize(jsonForm), 'application/json')).toThrow(PayloadTooLargeError);
    expect(() => readStatusRequest(oversize(xmlForm), 'text/xml')).toThrow(PayloadTooLargeError);
    // Not even parsed: an oversize body that is not JSON at all is still a 413, not a 400.
    expect(() => readStatusRequest(Buffer.alloc(MAX_BODY_BYTES + 1, 0x7b), 'application/json')).toThrow(
      PayloadTooLargeError,
    );
    // Exactly at the limit is accepted.
    const atLimit = oversize(jsonForm).subarray(0, MAX_BODY_BYTES);
    expect(readStatusRequest(atLimit, 'application/json').request.msgId).toBe('Q1');
  });

  it('refuses malformed JSON, invalid UTF-8 and duplicate member names with 400 FF01', () => {
    expect(() => readStatusRequest(Buffer.from('{"FIToFIPmtStsReq":'), 'application/json')).toThrow(
      MalformedRequestError,
    );
    expect(() =>
      readStatusRequest(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'),
    ).toThrow(MalformedRequestError);
    const doubled = jsonForm.replace('"OrgnlUETR":', '"OrgnlUETR":"other","OrgnlUETR":');
    expect(() => readStatusRequest(Buffer.from(doubled), 'application/json')).toThrow(
      "duplicate key 'OrgnlUETR'",
    );
  });

  it('refuses other media types with 415', () => {
    expect(() => readStatusRequest(Buffer.from(jsonForm), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    expect(() => readStatusRequest(Buffer.from(jsonForm), undefined)).toThrow(UnsupportedMediaTypeError);
  });
});
