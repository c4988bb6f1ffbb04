import {
  createSignatureBase,
  parseComponentIdentifier,
  type SignableRequest,
  SignatureBaseError,
  type SignatureBaseFailure,
} from './signature-base';
import type { InnerList } from './structured-fields';

function covered(...components: string[]): InnerList {
  return {
    items: components.map(parseComponentIdentifier),
    params: new Map<string, number>([['created', 1]]),
  };
}

/** The component lines only (drops the @signature-params line). */
function lines(req: SignableRequest, ...components: string[]): string[] {
  return createSignatureBase(req, covered(...components), {
    structuredFields: { 'example-dict': 'dictionary' },
  })
    .split('\n')
    .slice(0, -1);
}

function failure(fn: () => unknown): SignatureBaseFailure | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureBaseError) return err.reason;
    throw err;
  }
  return undefined;
}

// The message of RFC 9421 §2.1.
const fieldsRequest: SignableRequest = {
  method: 'GET',
  targetUri: 'https://www.example.com/',
  headers: {
    Host: 'www.example.com',
    Date: 'Tue, 20 Apr 2021 02:07:56 GMT',
    'X-OWS-Header': '   Leading and trailing whitespace.   ',
    'X-Obs-Fold-Header': 'Obsolete\r\n    line folding.',
    'Cache-Control': ['max-age=60', '   must-revalidate'],
    'Example-Dict': ' a=1,    b=2;x=1;y=2,   c=(a   b   c)',
    'X-Empty-Header': '',
  },
};

describe('signature base (RFC 9421 §2)', () => {
  describe('HTTP fields (§2.1)', () => {
    it('lower-cases names, trims, unfolds and combines field lines', () => {
      expect(
        lines(
          fieldsRequest,
          'host',
          'date',
          'x-ows-header',
          'x-obs-fold-header',
          'cache-control',
          'example-dict',
          'x-empty-header',
        ),
      ).toEqual([
        '"host": www.example.com',
        '"date": Tue, 20 Apr 2021 02:07:56 GMT',
        '"x-ows-header": Leading and trailing whitespace.',
        '"x-obs-fold-header": Obsolete line folding.',
        '"cache-control": max-age=60, must-revalidate',
        '"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)',
        '"x-empty-header": ',
      ]);
    });

    it('accepts upper-case header names given to the signer and lower-cases them', () => {
      expect(lines(fieldsRequest, 'Date')).toEqual(['"date": Tue, 20 Apr 2021 02:07:56 GMT']);
    });

    it('re-serializes a structured field with ;sf (§2.1.1)', () => {
      expect(lines(fieldsRequest, '"example-dict";sf')).toEqual([
        '"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)',
      ]);
    });

    it('selects dictionary members with ;key (§2.1.2)', () => {
      const req = { ...fieldsRequest, headers: { 'example-dict': ' a=1, b=2;x=1;y=2, c=(a b c), d' } };
      expect(
        lines(
          req,
          '"example-dict";key="a"',
          '"example-dict";key="d"',
          '"example-dict";key="b"',
          '"example-dict";key="c"',
        ),
      ).toEqual([
        '"example-dict";key="a": 1',
        '"example-dict";key="d": ?1',
        '"example-dict";key="b": 2;x=1;y=2',
        '"example-dict";key="c": (a b c)',
      ]);
    });

    it('wraps each field line as a byte sequence with ;bs (§2.1.3)', () => {
      const req = { ...fieldsRequest, headers: { 'example-header': ['value, with, lots', 'of, commas'] } };
      expect(lines(req, '"example-header";bs')).toEqual([
        '"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:',
      ]);
    });
  });

  describe('derived components (§2.2)', () => {
    const req: SignableRequest = {
      method: 'POST',
      targetUri: 'https://www.example.com/path?param=value',
      headers: {},
    };

    it('computes each derived component of the RFC example', () => {
      expect(
        lines(req, '@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query'),
      ).toEqual([
        '"@method": POST',
        '"@target-uri": https://www.example.com/path?param=value',
        '"@authority": www.example.com',
        '"@scheme": https',
        '"@request-target": /path?param=value',
        '"@path": /path',
        '"@query": ?param=value',
      ]);
    });

    it.each([
      [
        'https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman',
        '?param=value&foo=bar&baz=bat%2Dman',
      ],
      ['https://www.example.com/path?', '?'],
      ['https://www.example.com/path', '?'],
    ])('@query of %s is %s', (targetUri, expected) => {
      expect(lines({ ...req, targetUri }, '@query')).toEqual([`"@query": ${expected}`]);
    });

    it('normalizes @authority (lower case, default port dropped) and an empty @path', () => {
      expect(
        lines({ ...req, targetUri: 'https://WWW.Example.com:443' }, '@authority', '@path', '@request-target'),
      ).toEqual(['"@authority": www.example.com', '"@path": /', '"@request-target": /']);
      expect(lines({ ...req, targetUri: 'http://127.0.0.1:3000/payments' }, '@authority', '@scheme')).toEqual(
        ['"@authority": 127.0.0.1:3000', '"@scheme": http'],
      );
    });

    it('computes @query-param values, re-encoded (§2.2.8)', () => {
      const q = { ...req, targetUri: 'https://www.example.com/path?param=value&foo=bar&baz=batman&qux=' };
      expect(
        lines(q, '"@query-param";name="baz"', '"@query-param";name="qux"', '"@query-param";name="param"'),
      ).toEqual([
        '"@query-param";name="baz": batman',
        '"@query-param";name="qux": ',
        '"@query-param";name="param": value',
      ]);
      const encoded = {
        ...req,
        targetUri:
          'https://example.com/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something',
      };
      expect(
        lines(
          encoded,
          '"@query-param";name="var"',
          '"@query-param";name="bar"',
          '"@query-param";name="fa%C3%A7ade%22%3A%20"',
        ),
      ).toEqual([
        '"@query-param";name="var": this%20is%20a%20big%0Avalue',
        '"@query-param";name="bar": with%20plus%20whitespace',
        '"@query-param";name="fa%C3%A7ade%22%3A%20": something',
      ]);
    });
  });

  it('ends with the @signature-params line, serialized as the Signature-Input member', () => {
    const params: InnerList = {
      items: [parseComponentIdentifier('@method'), parseComponentIdentifier('"@query-param";name="a"')],
      params: new Map<string, string | number>([
        ['created', 1618884473],
        ['keyid', 'k"1'],
      ]),
    };
    const base = createSignatureBase({ method: 'GET', targetUri: 'https://h/?a=1', headers: {} }, params);
    expect(base).toBe(
      '"@method": GET\n"@query-param";name="a": 1\n"@signature-params": ("@method" "@query-param";name="a");created=1618884473;keyid="k\\"1"',
    );
  });

  describe('failures', () => {
    const req: SignableRequest = {
      method: 'GET',
      targetUri: 'https://h/p?a=1&a=2',
      headers: { 'x-a': 'v', 'x-nl': 'a\nb' },
    };
    const base =
      (...components: string[]) =>
      () =>
        createSignatureBase(req, covered(...components));

    it.each([
      ['an absent header', ['x-missing'], 'missing_component'],
      ['an absent query parameter', ['"@query-param";name="b"'], 'missing_component'],
      ['an absent dictionary key', ['"x-a";key="z"'], 'missing_component'],
      ['a key into a field that is not a dictionary', ['"x-nl";key="a"'], 'invalid_message'],
      ['a repeated query parameter', ['"@query-param";name="a"'], 'unsupported_component'],
      ['a duplicate identifier', ['@method', '@method'], 'unsupported_component'],
      ['an unknown derived component', ['@status'], 'unsupported_component'],
      ['@signature-params as a component', ['@signature-params'], 'unsupported_component'],
      ['an upper-case field identifier', ['"X-A"'], 'unsupported_component'],
      ['the req parameter', ['"@method";req'], 'unsupported_component'],
      ['an unknown field parameter', ['"x-a";tr'], 'unsupported_component'],
      ['bs combined with sf', ['"x-a";bs;sf'], 'unsupported_component'],
      ['sf on a field of unknown type', ['"x-a";sf'], 'unsupported_component'],
      ['a value with a newline', ['x-nl'], 'invalid_message'],
    ])('%s', (_what, components, reason) => {
      expect(failure(base(...components))).toBe(reason);
    });

    it('an unparseable target URI', () => {
      expect(failure(() => createSignatureBase({ ...req, targetUri: '/relative' }, covered('@method')))).toBe(
        'invalid_message',
      );
    });
  });
});
