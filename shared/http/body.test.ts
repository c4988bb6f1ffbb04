import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors';
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
  });
});
