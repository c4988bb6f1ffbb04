import fc from 'fast-check';
import { MalformedRequestError } from '../domain/errors';
import { findDuplicateKey, parseJsonStrict } from './strict-json';

/** Any JSON value with object keys that are unique by construction (JSON.stringify of a JS value). */
const jsonValue = fc.jsonValue({ maxDepth: 6 });

/** Serialises with random whitespace between tokens, as a partner's encoder might. */
function withWhitespace(value: unknown, ws: string): string {
  return JSON.stringify(value, null, ws.length > 0 ? ws : undefined);
}

describe('findDuplicateKey', () => {
  it('finds nothing in duplicate-free JSON, and parseJsonStrict agrees with JSON.parse', () => {
    fc.assert(
      fc.property(jsonValue, fc.constantFrom('', ' ', '\t', '  \n'), (value, ws) => {
        const text = withWhitespace(value, ws);
        expect(findDuplicateKey(text)).toBeUndefined();
        expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('finds a member name repeated in any object at any depth, whatever its escaping', () => {
    // Build an object, pick a nested object, and insert a second member with an existing name.
    const arb = fc
      .record({
        key: fc.string({ minLength: 0, maxLength: 8 }),
        first: fc.jsonValue({ maxDepth: 2 }),
        second: fc.jsonValue({ maxDepth: 2 }),
        siblings: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        wrap: fc.array(fc.oneof(fc.constant('array' as const), fc.string({ maxLength: 5 })), {
          maxLength: 5,
        }),
        escapeAll: fc.boolean(),
      })
      .filter(({ key, siblings }) => !Object.prototype.hasOwnProperty.call(siblings, key));
    fc.assert(
      fc.property(arb, ({ key, first, second, siblings, wrap, escapeAll }) => {
        const name = escapeAll
          ? `"${[...key].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
          : JSON.stringify(key);
        const members = Object.entries(siblings).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        let text = `{${[...members, `${JSON.stringify(key)}:${JSON.stringify(first)}`, `${name}:${JSON.stringify(second)}`].join(',')}}`;
        for (const layer of wrap) {
          text = layer === 'array' ? `[1,${text},"x"]` : `{"${layer.replace(/["\\]/g, '')}z":${text}}`;
        }
        expect(() => JSON.parse(text)).not.toThrow();
        expect(findDuplicateKey(text)?.key).toBe(key);
        expect(() => parseJsonStrict(text)).toThrow(MalformedRequestError);
      }),
      { numRuns: 500 },
    );
  });

  it('names the key and where it is', () => {
    const text = '{"amount":{"amountMinor":1,"currency":"USD","amountMinor":100000}}';
    expect(findDuplicateKey(text)).toEqual({ key: 'amountMinor', path: '$.amount' });
    expect(() => parseJsonStrict(text)).toThrow("duplicate key 'amountMinor'");
    expect(findDuplicateKey('[{"a":1},{"a":2},{"b":[{"c":1,"c":2}]}]')).toEqual({
      key: 'c',
      path: '$[2].b[0]',
    });
  });

  it('treats strings that look like JSON as strings, and equal names in different objects as distinct', () => {
    expect(findDuplicateKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":{"a":1},"c":[{"a":2}]}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\"":1,"a":2}')).toBeUndefined();
    expect(findDuplicateKey('{"\\\\":1,"\\u005c":2}')).toEqual({ key: '\\', path: '$' });
  });

  it('handles deep nesting without recursion', () => {
    const depth = 100_000;
    const text = `${'['.repeat(depth)}{"k":1,"k":2}${']'.repeat(depth)}`;
    expect(findDuplicateKey(text)?.key).toBe('k');
  });

  it('reports syntax errors as MalformedRequestError', () => {
    expect(() => parseJsonStrict('{"a":')).toThrow(MalformedRequestError);
  });
});
