import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { detectIntakeForm } from './detect';

describe('detectIntakeForm', () => {
  it.each([
    ['application/xml', '<Document/>', 'iso'],
    ['text/xml; charset=utf-8', '<Document/>', 'iso'],
    ['application/json', ' {\n "FIToFICstmrCdtTrf": {}}', 'iso'],
    ['application/json', '{"endToEndId":"x"}', 'simple-json'],
  ] as const)('%s %s -> %s', (type, body, form) => {
    expect(detectIntakeForm(Buffer.from(body), type)).toBe(form);
  });

  it('refuses other media types and oversized bodies', () => {
    expect(() => detectIntakeForm(Buffer.from('x'), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    // No Content-Type: the body's form is never guessed.
    expect(() => detectIntakeForm(Buffer.from('{"endToEndId":"x"}'), undefined)).toThrow(
      UnsupportedMediaTypeError,
    );
    expect(() => detectIntakeForm(Buffer.alloc(64 * 1024 + 1), 'application/json')).toThrow(
      PayloadTooLargeError,
    );
  });
});
