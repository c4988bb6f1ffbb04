import fc from 'fast-check';
import {
  type BareItem,
  Decimal,
  type Dictionary,
  type Item,
  type Member,
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeItem,
  serializeList,
  StructuredFieldError,
  Token,
} from './structured-fields';

describe('structured fields (RFC 8941)', () => {
  describe('round trips of RFC 8941 examples to their canonical form', () => {
    it.each([
      ['a=?0, b, c; foo=bar', 'a=?0, b, c;foo=bar'],
      ['en="Applepie", da=:w4ZibGV0w6ZydGUK:', 'en="Applepie", da=:w4ZibGV0w6ZydGUK:'],
      ['rating=1.5, feelings=(joy sadness)', 'rating=1.5, feelings=(joy sadness)'],
      ['a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid', 'a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid'],
      ['  a=1,    b=2;x=1;y=2,   c=(a   b   c)  ', 'a=1, b=2;x=1;y=2, c=(a b c)'],
      ['a=1,\tb=2', 'a=1, b=2'],
      ['a=1, a=2', 'a=2'],
    ])('dictionary %j', (input, canonical) => {
      expect(serializeDictionary(parseDictionary(input))).toBe(canonical);
    });

    it.each([
      ['sugar, tea, rum', 'sugar, tea, rum'],
      ['("foo" "bar"), ("baz"), ("bat" "one"), ()', '("foo" "bar"), ("baz"), ("bat" "one"), ()'],
      ['("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1', '("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1'],
      ['', ''],
    ])('list %j', (input, canonical) => {
      expect(serializeList(parseList(input))).toBe(canonical);
    });

    it.each([
      ['5; foo=bar', '5;foo=bar'],
      ['-42', '-42'],
      ['4.5', '4.5'],
      ['"hello \\"world\\" \\\\"', '"hello \\"world\\" \\\\"'],
      ['?1', '?1'],
      ['*foo/bar:baz', '*foo/bar:baz'],
      [':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:', ':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:'],
    ])('item %j', (input, canonical) => {
      expect(serializeItem(parseItem(input))).toBe(canonical);
    });
  });

  it('parses bare item types', () => {
    const dict = parseDictionary('i=42, d=1.25, s="x", t=tok, b=:AQID:, f=?0, yes');
    const values = [...dict.values()].map((m) => ('value' in m ? m.value : undefined));
    expect(values[0]).toBe(42);
    expect(values[1]).toEqual(new Decimal(1.25));
    expect(values[2]).toBe('x');
    expect(values[3]).toEqual(new Token('tok'));
    expect(Buffer.from(values[4] as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(values[5]).toBe(false);
    expect(values[6]).toBe(true);
  });

  describe('rejects malformed input', () => {
    it.each([
      ['trailing comma', 'a=1,'],
      ['missing comma', 'a=1 b=2'],
      ['upper-case key', 'A=1'],
      ['unterminated string', 'a="abc'],
      ['bad escape', 'a="a\\b"'],
      ['control character in string', 'a="a\tb"'],
      ['non-ASCII', 'a="é"'],
      ['16-digit integer', 'a=1234567890123456'],
      ['4 fractional digits', 'a=1.2345'],
      ['13-digit decimal integer part', 'a=1234567890123.5'],
      ['decimal ending in dot', 'a=1.'],
      ['invalid base64', 'a=:not base64!:'],
      ['unpadded base64', 'a=:AQI:'],
      ['unterminated byte sequence', 'a=:AQID'],
      ['bad boolean', 'a=?2'],
      ['unterminated inner list', 'a=(1 2'],
      ['comma inside inner list', 'a=(1,2)'],
      ['empty key', '=1'],
      ['bare item starting with a symbol', 'a=%1'],
      ['leading comma', ', a=1'],
    ])('%s', (_what, input) => {
      expect(() => parseDictionary(input)).toThrow(StructuredFieldError);
    });

    it('trailing garbage after an item', () => {
      expect(() => parseItem('1 2')).toThrow(StructuredFieldError);
    });
  });

  it('refuses to serialize values outside the grammar', () => {
    expect(() => serializeItem({ value: 'line\nbreak', params: new Map() })).toThrow(StructuredFieldError);
    expect(() => serializeItem({ value: 1e16, params: new Map() })).toThrow(StructuredFieldError);
    expect(() => serializeItem({ value: 1.5, params: new Map() })).toThrow(StructuredFieldError);
    expect(() => serializeItem({ value: new Token('1abc'), params: new Map() })).toThrow(
      StructuredFieldError,
    );
    expect(() => serializeDictionary(new Map([['Bad', { value: 1, params: new Map() }]]))).toThrow(
      StructuredFieldError,
    );
  });

  it('serialize then parse is the identity on generated dictionaries', () => {
    const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/);
    const bare: fc.Arbitrary<BareItem> = fc.oneof(
      fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
      fc.stringMatching(/^[ -~]{0,20}$/),
      fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,10}$/).map((t) => new Token(t)),
      fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
      fc.boolean(),
    );
    const params = fc
      .uniqueArray(fc.tuple(key, bare), { selector: ([k]) => k, maxLength: 3 })
      .map((e) => new Map(e));
    const item: fc.Arbitrary<Item> = fc.record({ value: bare, params });
    const member: fc.Arbitrary<Member> = fc.oneof(
      item,
      fc.record({ items: fc.array(item, { maxLength: 3 }), params }),
    );
    const dict = fc
      .uniqueArray(fc.tuple(key, member), { selector: ([k]) => k, maxLength: 5 })
      .map((entries) => new Map(entries) as Dictionary);

    fc.assert(
      fc.property(dict, (d) => {
        const once = serializeDictionary(d);
        expect(serializeDictionary(parseDictionary(once))).toBe(once);
      }),
    );
  });
});
