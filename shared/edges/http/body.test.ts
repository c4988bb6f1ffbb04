import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { MAX_BODY_BYTES, readJsonBody } from './body';

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
      expect(error).toMatchObject({ httpStatus: 400, code: 'FF01' });
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
