import { computeContentDigest, parseContentDigest, verifyContentDigest } from './content-digest';

// RFC 9530 §2 / Appendix B: the digests of the body `{"hello": "world"}`.
const body = Buffer.from('{"hello": "world"}');
const SHA256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const SHA512 =
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

describe('Content-Digest (RFC 9530)', () => {
  it('computes sha-256 (default) and sha-512 over the raw bytes as in the RFC', () => {
    expect(computeContentDigest(body)).toBe(SHA256);
    expect(computeContentDigest(body, 'sha-512')).toBe(SHA512);
  });

  it('digests bytes, not a re-serialization: whitespace and CRLF matter', () => {
    expect(computeContentDigest(Buffer.from('{"hello":"world"}'))).not.toBe(SHA256);
    expect(computeContentDigest(Buffer.from('<a/>\r\n'))).not.toBe(
      computeContentDigest(Buffer.from('<a/>\n')),
    );
  });

  it('parses known algorithms and ignores others', () => {
    const digests = parseContentDigest(`md5=:AAAA:, ${SHA256}, ${SHA512}`);
    expect([...digests.keys()]).toEqual(['sha-256', 'sha-512']);
  });

  it.each([
    ['sha-256', SHA256, 'ok'],
    ['sha-512', SHA512, 'ok'],
    ['both', `${SHA256}, ${SHA512}`, 'ok'],
    ['a wrong digest', 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:', 'mismatch'],
    ['a digest of a truncated length', 'sha-256=:AAAA:', 'mismatch'],
    ['one good and one wrong digest', `${SHA256}, sha-512=:AAAA:`, 'mismatch'],
    ['only unsupported algorithms', 'md5=:AAAA:', 'unsupported'],
    ['not a dictionary', 'sha-256=', 'malformed'],
    [
      'a digest that is not a byte sequence',
      'sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="',
      'malformed',
    ],
  ])('verify with %s -> %s', (_what, header, expected) => {
    expect(verifyContentDigest(header, body)).toBe(expected);
  });

  it('does not match another body', () => {
    expect(verifyContentDigest(SHA256, Buffer.from('{"hello": "World"}'))).toBe('mismatch');
  });
});
