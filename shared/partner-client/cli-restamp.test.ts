import { harness } from '../auth/__fixtures__/verifier-harness';
import { fixture, FEDNOW_SCENARIO1 } from '../iso20022/__fixtures__';
import { parsePacs008Xml } from '../iso20022/pacs008';
import { validatePacs008 } from '../iso20022/validate';
import { runPartnerCli, type CliIo } from './cli';

describe('partner CLI send --restamp', () => {
  it('sends the real FedNow sample restamped so the rail clock rules accept it', async () => {
    const h = harness();
    const now = Date.parse('2026-12-04T19:30:00Z'); // Friday 14:30 EST
    const sent: string[] = [];
    const out: string[] = [];
    const cliIo: CliIo = {
      env: {},
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      readFile: (path) => Buffer.from(fixture(path)),
      now: () => now,
      fetch: (async (_input: string | URL | Request, init?: RequestInit) => {
        sent.push(Buffer.from(init?.body as Uint8Array).toString('utf8'));
        return new Response('ok', { status: 202 });
      }) as typeof fetch,
    };
    // --secret=<value>: a base64url secret may start with '-', which parseArgs would take for an option.
    const args = ['--key-id', 'k', `--secret=${h.partner.hmacSecret.toString('base64url')}`];
    expect(await runPartnerCli(['send', '--restamp', FEDNOW_SCENARIO1, ...args], cliIo)).toBe(0);
    const body = sent[0] ?? '';
    expect(body).toContain('<CreDtTm>2026-12-04T14:30:00-05:00</CreDtTm>');
    expect(body).toContain('<IntrBkSttlmDt>2026-12-04</IntrBkSttlmDt>');
    expect(body).toMatch(/<MsgId>20261204011104238[A-Z0-9]{14}<\/MsgId>/);
    expect(body).not.toContain('Scenario01EtoEId001');
    expect(body).not.toContain('8a562c67-ca16-48ba-b074-65581be6f011');
    expect(out[0]).toMatch(/^restamped: MsgId=20261204011104238\w+ EndToEndId=\w+ UETR=[0-9a-f-]{36}/);
    expect(() =>
      validatePacs008(parsePacs008Xml(body), {
        partner: { partnerId: 'bank-a', agentIds: ['011104238'] },
        now: now + 1000,
      }),
    ).not.toThrow();
  });

  it('sign refuses --restamp (the printed command sends the file as it is)', async () => {
    const out: string[] = [];
    const cliIo: CliIo = {
      env: {},
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      readFile: () => Buffer.from(''),
    };
    expect(await runPartnerCli(['sign', '--restamp', 'x.xml', '--key-id', 'k', '--secret', 'x'], cliIo)).toBe(
      2,
    );
  });
});
