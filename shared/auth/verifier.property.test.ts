import fc from 'fast-check';
import { AuthenticationError } from '../domain/errors';
import { harness } from './__fixtures__/verifier-harness';
import type { IncomingRequest } from './verifier';

/**
 * Property: for random requests, sign-then-verify succeeds, and any single-byte change to the
 * method, path, query, a covered header value or the body makes verification fail.
 */

const HOST = 'https://api.example.com';
const URL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~';
const urlText = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...URL_CHARS), minLength: min, maxLength: max });

const requestArb = fc.record({
  alg: fc.constantFrom('hmac-sha256' as const, 'ed25519' as const),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
  segments: fc.array(urlText(1, 12), { minLength: 1, maxLength: 4 }),
  query: fc.array(fc.tuple(urlText(1, 8), urlText(0, 8)), { maxLength: 4 }),
  // A covered header: visible ASCII with inner spaces, no surrounding whitespace.
  headerValue: fc.stringMatching(/^[!-~]([ -~]{0,38}[!-~])?$/),
  body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 256 }), { nil: undefined }),
});

type Part = 'method' | 'path' | 'query' | 'header' | 'body';

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  part: fc.constantFrom<Part>('method', 'path', 'query', 'header', 'body'),
  position: fc.nat(),
  replacement: fc.nat(),
});

/** Replaces one character of `text` (at `position` modulo its length) by a different one from `alphabet`. */
function replaceChar(text: string, position: number, replacement: number, alphabet: string): string {
  const i = position % text.length;
  const current = text[i] ?? '';
  const choices = [...alphabet].filter((c) => c !== current);
  const next = choices[replacement % choices.length] ?? '';
  return text.slice(0, i) + next + text.slice(i + 1);
}

const VISIBLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

interface Mutation {
  readonly part: Part;
  readonly position: number;
  readonly replacement: number;
}

/** The request with one byte of one part changed, or undefined when that part is empty. */
function mutate(req: IncomingRequest, m: Mutation): IncomingRequest | undefined {
  const pathAndQuery = req.targetUri.slice(HOST.length);
  const queryAt = pathAndQuery.indexOf('?');
  const path = queryAt < 0 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  const query = queryAt < 0 ? '' : pathAndQuery.slice(queryAt + 1);
  switch (m.part) {
    case 'method':
      return {
        ...req,
        method: replaceChar(
          req.method,
          m.position,
          m.replacement,
          'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
        ),
      };
    case 'path': {
      // Keep the leading "/": change one character of the segments.
      const mutated = `/${replaceChar(path.slice(1), m.position, m.replacement, URL_CHARS)}`;
      return { ...req, targetUri: `${HOST}${mutated}${queryAt < 0 ? '' : `?${query}`}` };
    }
    case 'query':
      if (query === '') return undefined;
      return {
        ...req,
        targetUri: `${HOST}${path}?${replaceChar(query, m.position, m.replacement, `${URL_CHARS}=&`)}`,
      };
    case 'header':
      return {
        ...req,
        headers: {
          ...req.headers,
          'x-request-id': replaceChar(req.headers['x-request-id'] ?? '', m.position, m.replacement, VISIBLE),
        },
      };
    case 'body': {
      if (req.body === undefined) return undefined;
      const body = Buffer.from(req.body);
      const i = m.position % body.length;
      body[i] = (body[i] ?? 0) ^ ((m.replacement % 255) + 1);
      return { ...req, body };
    }
  }
}

describe('sign / verify properties', () => {
  it('a signed request verifies, and any single-byte change to a covered part is refused', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, mutationArb, async (r, m) => {
        const h = harness();
        const search = r.query.map(([k, v]) => `${k}=${v}`).join('&');
        const signed = h.sign(
          {
            method: r.method,
            targetUri: `${HOST}/${r.segments.join('/')}${search === '' ? '' : `?${search}`}`,
            headers: {
              'x-request-id': r.headerValue,
              ...(r.body ? { 'content-type': 'application/octet-stream' } : {}),
            },
            body: r.body === undefined ? undefined : Buffer.from(r.body),
          },
          {
            alg: r.alg,
            components: ['@method', '@target-uri', 'x-request-id', ...(r.body ? ['content-digest'] : [])],
          },
        );

        const tampered = mutate(signed, m);
        fc.pre(tampered !== undefined);
        // The tampered copy goes first: its failure must not burn the nonce of the original.
        const failure = await h.verifier(tampered).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(AuthenticationError);
        expect((failure as AuthenticationError).code).not.toBe('replayed');

        await expect(h.verifier(signed)).resolves.toMatchObject({ partnerId: 'partner-1' });
      }),
      { numRuns: 300 },
    );
  });
});
