import { harness } from '../auth/__fixtures__/verifier-harness';
import { type CliIo, contentTypeFor, curlCommand, runPartnerCli } from './cli';

const MESSAGE = '<?xml version="1.0"?>\n<Document>pacs.008</Document>\n';

function io(overrides: Partial<CliIo> & { files?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = overrides.files ?? { 'msg.xml': MESSAGE, 'msg.json': '{}', 'msg.txt': 'x' };
  const value: CliIo = {
    env: {},
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: ${path}`);
      return Buffer.from(content);
    },
    ...overrides,
  };
  return { io: value, out, err };
}

/** Reads the headers back out of a printed curl command. */
function headersOfCurl(command: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [, line] of command.matchAll(/-H '([^']*)'/g)) {
    const at = (line ?? '').indexOf(': ');
    headers[(line ?? '').slice(0, at)] = (line ?? '').slice(at + 2);
  }
  return headers;
}

describe('partner CLI', () => {
  it('sign prints a curl command whose headers verify against the file bytes', async () => {
    const h = harness();
    const t = io({ now: () => h.clock.nowMs });
    const secret = h.partner.hmacSecret.toString('base64url');
    const code = await runPartnerCli(
      [
        'sign',
        'msg.xml',
        '--key-id',
        h.partner.hmacKeyId,
        '--secret',
        secret,
        '--url',
        'https://api.example.com',
      ],
      t.io,
    );
    expect(code).toBe(0);
    const [command = ''] = t.out;
    expect(command).toMatch(/^curl -sS -X POST 'https:\/\/api\.example\.com\/payments' \\\n/);
    expect(command).toContain(`--data-binary '@msg.xml'`);
    const headers = headersOfCurl(command);
    expect(headers['content-type']).toBe('application/xml');
    await expect(
      h.verifier({
        method: 'POST',
        targetUri: 'https://api.example.com/payments',
        headers,
        body: Buffer.from(MESSAGE),
      }),
    ).resolves.toMatchObject({ keyId: h.partner.hmacKeyId });
  });

  it('sign reads settings from the environment and an ed25519 key file', async () => {
    const h = harness();
    const pem = h.partner.edPrivate.export({ type: 'pkcs8', format: 'pem' }).toString();
    const t = io({
      now: () => h.clock.nowMs,
      env: {
        RTP_BASE_URL: 'https://api.example.com',
        RTP_KEY_ID: h.partner.edKeyId,
        RTP_KEY_FILE: 'key.pem',
      },
      files: { 'msg.json': '{"a":1}', 'key.pem': pem },
    });
    expect(await runPartnerCli(['sign', 'msg.json'], t.io)).toBe(0);
    const headers = headersOfCurl(t.out[0] ?? '');
    expect(headers['content-type']).toBe('application/json');
    await expect(
      h.verifier({
        method: 'POST',
        targetUri: 'https://api.example.com/payments',
        headers,
        body: Buffer.from('{"a":1}'),
      }),
    ).resolves.toMatchObject({ alg: 'ed25519' });
  });

  it('send prints status and body; exit code 1 on HTTP >= 400', async () => {
    const h = harness();
    const requests: string[] = [];
    const fetchWith = (status: number) =>
      (async (input: string | URL | Request, init?: RequestInit) => {
        requests.push(`${init?.method} ${String(input)}`);
        return new Response(`{"status":${status}}`, { status });
      }) as typeof fetch;
    // --secret=<value>: a base64url secret may start with '-', which parseArgs would take for an option.
    const args = ['--key-id', 'k', `--secret=${h.partner.hmacSecret.toString('base64url')}`];

    const ok = io({ fetch: fetchWith(202) });
    expect(await runPartnerCli(['send', 'msg.xml', ...args], ok.io)).toBe(0);
    expect(ok.out).toEqual(['HTTP 202\n{"status":202}']);

    const refused = io({ fetch: fetchWith(401) });
    expect(await runPartnerCli(['status', 'pay-1', ...args], refused.io)).toBe(1);
    expect(refused.out).toEqual(['HTTP 401\n{"status":401}']);
    expect(requests).toEqual([
      'POST http://127.0.0.1:3000/payments',
      'GET http://127.0.0.1:3000/payments/pay-1',
    ]);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['launch', 'x']],
    ['a missing argument', ['send']],
    ['an unknown option', ['send', 'msg.xml', '--nope']],
    ['no key id', ['sign', 'msg.xml', '--secret', 'x']],
    ['no secret', ['sign', 'msg.xml', '--key-id', 'k']],
    [
      'an unknown extension',
      ['sign', 'msg.txt', '--key-id', 'k', '--secret', Buffer.alloc(32).toString('base64url')],
    ],
    ['an unsupported alg', ['sign', 'msg.xml', '--key-id', 'k', '--alg', 'rsa']],
  ])('usage error (exit 2) on %s', async (_what, argv) => {
    const t = io();
    expect(await runPartnerCli(argv, t.io)).toBe(2);
  });

  it('--content-type overrides the extension', async () => {
    const t = io();
    const secret = Buffer.alloc(32, 1).toString('base64url');
    await runPartnerCli(
      ['sign', 'msg.txt', '--key-id', 'k', '--secret', secret, '--content-type', 'text/plain'],
      t.io,
    );
    expect(headersOfCurl(t.out[0] ?? '')['content-type']).toBe('text/plain');
  });

  it('guesses content types and quotes shell words', () => {
    expect(contentTypeFor('a/b.XML')).toBe('application/xml');
    expect(contentTypeFor('b.json')).toBe('application/json');
    expect(contentTypeFor('b')).toBeUndefined();
    expect(curlCommand({ method: 'GET', url: "http://h/it's", headers: {} })).toBe(
      `curl -sS -X GET 'http://h/it'\\''s'`,
    );
  });
});
