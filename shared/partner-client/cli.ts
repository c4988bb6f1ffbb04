import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { isSignatureAlgorithm, type SignatureAlgorithm } from '../auth/algorithms';
import { restampPacs008, withDebtor } from '../iso20022/restamp';
import { decodeHmacSecret, parseEd25519PrivateKey, PartnerClient, type PreparedRequest } from './index';

/**
 * The partner CLI (`npm run partner -- <cmd>`), as a function of its arguments and I/O so it can
 * be tested without spawning a process. scripts/partner.ts only wires it to the real process.
 */

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readFile: (path: string) => Buffer;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export const USAGE = `usage: partner <command> [options]
commands:
  send <message-file>    sign and POST the message to /payments
  status <paymentId>     sign and GET /payments/<paymentId>
  sign <message-file>    print a signed curl command for the message, without sending
options (environment variable in brackets):
  --url <url>            base URL [RTP_BASE_URL] (default http://127.0.0.1:3000)
  --key-id <id>          key id [RTP_KEY_ID]
  --secret=<b64url>      hmac-sha256 shared secret [RTP_SECRET] (with '=': it may start with -)
  --key-file <pem>       ed25519 private key file [RTP_KEY_FILE]
  --alg <alg>            hmac-sha256 | ed25519 (default from the key given) [RTP_ALG]
  --content-type <type>  override the type guessed from the file extension
  --accept <type>        Accept header for status
  --restamp              send: restamp a pacs.008 sample first (CreDtTm now, IntrBkSttlmDt the
                         rail's business day, MsgId/BizMsgIdr for today, fresh EndToEndId and
                         UETR), so a 2023 sample passes the rail clock rules
  --debtor <rtn>:<acct>  send, with a pacs.008 XML sample: send it as the debtor agent <rtn>
                         from account <acct> (instructing and debtor agent, MsgId sender id,
                         DbtrAcct), e.g. --debtor 021000021:1000001 for the demo partner`;

const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

const CONTENT_TYPES: Record<string, string> = { '.xml': 'application/xml', '.json': 'application/json' };

export function contentTypeFor(file: string): string | undefined {
  return CONTENT_TYPES[extname(file).toLowerCase()];
}

class UsageError extends Error {}

/** Single-quotes a word for POSIX shells. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A curl command that sends exactly the prepared request, body read from `bodyFile`. */
export function curlCommand(prepared: PreparedRequest, bodyFile?: string): string {
  const lines = [`curl -sS -X ${prepared.method} ${shellQuote(prepared.url)}`];
  for (const [name, value] of Object.entries(prepared.headers))
    lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  // --data-binary sends the file's bytes unchanged, so the Content-Digest still matches.
  if (bodyFile !== undefined) lines.push(`  --data-binary ${shellQuote(`@${bodyFile}`)}`);
  return lines.join(' \\\n');
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'key-id': { type: 'string' },
        secret: { type: 'string' },
        'key-file': { type: 'string' },
        alg: { type: 'string' },
        'content-type': { type: 'string' },
        accept: { type: 'string' },
        restamp: { type: 'boolean' },
        debtor: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

type ParsedOptions = ReturnType<typeof parse>['values'];

function clientFrom(values: ParsedOptions, io: CliIo): PartnerClient {
  const keyId = values['key-id'] ?? io.env['RTP_KEY_ID'];
  const secret = values.secret ?? io.env['RTP_SECRET'];
  const keyFile = values['key-file'] ?? io.env['RTP_KEY_FILE'];
  const algText = values.alg ?? io.env['RTP_ALG'] ?? (keyFile !== undefined ? 'ed25519' : 'hmac-sha256');
  if (keyId === undefined) throw new UsageError('a key id is required (--key-id or RTP_KEY_ID)');
  if (!isSignatureAlgorithm(algText)) throw new UsageError(`unsupported --alg ${algText}`);
  const alg: SignatureAlgorithm = algText;
  const common = {
    baseUrl: values.url ?? io.env['RTP_BASE_URL'] ?? DEFAULT_BASE_URL,
    keyId,
    fetch: io.fetch,
    now: io.now,
  };
  if (alg === 'hmac-sha256') {
    if (secret === undefined) throw new UsageError('hmac-sha256 needs --secret or RTP_SECRET');
    return new PartnerClient({ ...common, alg, secret: decodeHmacSecret(secret) });
  }
  if (keyFile === undefined) throw new UsageError('ed25519 needs --key-file or RTP_KEY_FILE');
  return new PartnerClient({ ...common, alg, privateKey: parseEd25519PrivateKey(io.readFile(keyFile)) });
}

function messageRequest(file: string, values: ParsedOptions, io: CliIo) {
  const contentType = values['content-type'] ?? contentTypeFor(file);
  if (contentType === undefined)
    throw new UsageError(`cannot tell the content type of ${file}: use --content-type`);
  return { body: io.readFile(file), contentType };
}

/** The message of an error and of its cause (fetch hides ECONNREFUSED and the like there). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

/** Runs one CLI command; resolves to the process exit code (1 for HTTP >= 400, 2 for usage). */
export async function runPartnerCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, arg, ...extra] = positionals;
    if (values.help === true || command === undefined) {
      io.out(USAGE);
      return values.help === true ? 0 : 2;
    }
    if (arg === undefined || extra.length > 0) throw new UsageError(`${command} takes exactly one argument`);

    switch (command) {
      case 'sign': {
        if (values.restamp === true)
          throw new UsageError(
            '--restamp works with send (sign prints a command that sends the file as it is)',
          );
        const { body, contentType } = messageRequest(arg, values, io);
        const prepared = clientFrom(values, io).prepare('POST', '/payments', { body, contentType });
        // The body goes in via --data-binary, so the printed command stays readable.
        io.out(curlCommand({ ...prepared, body: undefined }, arg));
        return 0;
      }
      case 'send': {
        const request = messageRequest(arg, values, io);
        let body: Buffer = request.body;
        if (values.debtor !== undefined) {
          const [routing = '', account = ''] = values.debtor.split(':');
          body = Buffer.from(withDebtor(body.toString('utf8'), { routing, account }), 'utf8');
        }
        if (values.restamp === true) {
          const stamped = restampPacs008(body.toString('utf8'), io.now ? { now: io.now() } : {});
          body = Buffer.from(stamped.body, 'utf8');
          const r = stamped.refs;
          io.out(
            `restamped: MsgId=${r.msgId ?? '-'} EndToEndId=${r.endToEndId ?? '-'} UETR=${r.uetr ?? '-'}` +
              `${r.bizMsgIdr !== undefined ? ` BizMsgIdr=${r.bizMsgIdr}` : ''} IntrBkSttlmDt=${r.settlementDate}`,
          );
        }
        const res = await clientFrom(values, io).submitPayment(body, request.contentType);
        io.out(`HTTP ${res.status}\n${res.body}`);
        return res.status >= 400 ? 1 : 0;
      }
      case 'status': {
        const res = await clientFrom(values, io).getPayment(arg, values.accept);
        io.out(`HTTP ${res.status}\n${res.body}`);
        return res.status >= 400 ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${describe(err)}`);
    return 1;
  }
}
