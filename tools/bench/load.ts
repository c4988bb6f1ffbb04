/**
 * The open-loop load generator: payments are sent on a precomputed schedule (Poisson arrivals at
 * the target rate, or evenly spaced) whatever the latency of earlier ones: nothing ever waits for a
 * response before sending the next, so a slow pipeline cannot slow the offered load down (no
 * coordinated omission). Accept latency is measured from the *scheduled* send time.
 *
 * Each payment is built fresh (references, amount, accounts; see messages.ts), signed per RFC 9421
 * by its debtor's partner (PartnerClient.prepare) and sent with node:http on keep-alive sockets.
 * It runs in its own process (load-process.ts), so the pipeline's busy event loop cannot delay
 * the schedule.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import { PartnerClient, decodeHmacSecret, type PreparedRequest } from '../../shared/partner-client';
import { epochNow } from './clock';
import { buildPaymentBody, fedNowMsgId, type WireForm } from './messages';
import type { PaymentForm, SigningAlg } from './options';
import { seededRandom } from './stats';
import type { SimAccount, SimWorld } from './world';

export type PaymentKind = 'normal' | 'hot' | 'nsf' | 'invalid';

export interface PartnerKeyMaterial {
  readonly keyId: string;
  readonly alg: SigningAlg;
  /** PKCS #8 PEM, for ed25519. */
  readonly privateKeyPem?: string;
  /** base64url, for hmac-sha256. */
  readonly secret?: string;
}

export interface LoadMix {
  readonly hotShare: number;
  readonly invalidShare: number;
  readonly nsfShare: number;
  readonly form: PaymentForm;
}

export interface LoadPlan {
  readonly baseUrl: string;
  /** Prefix of this phase's references (`W` warm-up, `M` measured). */
  readonly phase: string;
  readonly rate: number;
  readonly durationSeconds: number;
  /** Stop after this many payments even if the duration is not over. */
  readonly maxPayments?: number;
  readonly arrivals: 'poisson' | 'uniform';
  readonly seed: number;
  readonly mix: LoadMix;
  readonly world: SimWorld;
  /** By partner index. */
  readonly keys: readonly PartnerKeyMaterial[];
  /** Per-request timeout (API Gateway's integration timeout is 30 s). */
  readonly timeoutMs: number;
}

export interface SendRecord {
  readonly seq: number;
  readonly kind: PaymentKind;
  readonly form: WireForm;
  readonly partnerIndex: number;
  readonly endToEndId: string;
  /** Epoch milliseconds (fractional). */
  readonly intendedAt: number;
  readonly sentAt: number;
  readonly respondedAt: number;
  /** HTTP status; 0 when the request failed without a response. */
  readonly status: number;
  readonly paymentId?: string;
  readonly error?: string;
  /**
   * Set when the pipeline's admission control refused the payment at intake (503 OVERLOADED /
   * 429 PARTNER_SHARE_EXCEEDED, nothing recorded): load shed by design, not an error.
   */
  readonly shed?: ShedCode;
  /** A shed answer's Retry-After header, seconds (absent: the answer had none). */
  readonly retryAfterSeconds?: number;
  readonly requestBytes: number;
}

export const SHED_CODES = ['OVERLOADED', 'PARTNER_SHARE_EXCEEDED'] as const;
export type ShedCode = (typeof SHED_CODES)[number];

/**
 * The admission-control code of a 503 / 429 answer, from its body: the JSON error's `code`, or the
 * pacs.002 RJCT's AddtlInf (`NARR` with "OVERLOADED: ..." text), whatever the wire form.
 */
export function shedCode(status: number, body: string): ShedCode | undefined {
  if (status !== 503 && status !== 429) return undefined;
  const match = /\b(OVERLOADED|PARTNER_SHARE_EXCEEDED)\b/.exec(body);
  return match ? (match[1] as ShedCode) : undefined;
}

export interface LoadProgress {
  readonly elapsedMs: number;
  readonly scheduled: number;
  readonly sent: number;
  readonly completed: number;
  readonly inFlight: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** How late the latest send left compared to its schedule (generator saturation). */
  readonly lastSendLagMs: number;
}

/** Offsets (ms from the start) of the payments to send. */
export function schedule(
  plan: Pick<LoadPlan, 'rate' | 'durationSeconds' | 'maxPayments' | 'arrivals'>,
  random: () => number,
): number[] {
  const offsets: number[] = [];
  const limitMs = plan.durationSeconds * 1000;
  const max = plan.maxPayments ?? Number.POSITIVE_INFINITY;
  const meanGapMs = 1000 / plan.rate;
  let t = plan.arrivals === 'uniform' ? 0 : -Math.log(1 - random()) * meanGapMs;
  while (t < limitMs && offsets.length < max) {
    offsets.push(t);
    t += plan.arrivals === 'uniform' ? meanGapMs : -Math.log(1 - random()) * meanGapMs;
  }
  return offsets;
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

interface PaymentChoice {
  readonly kind: PaymentKind;
  readonly form: WireForm;
  readonly debtor: SimAccount;
  readonly creditor: SimAccount;
  readonly amountMinor: number;
}

/** The payment mix: kind by share, then accounts, amount and wire form. */
export function choosePayment(world: SimWorld, mix: LoadMix, random: () => number): PaymentChoice {
  const r = random();
  const kind: PaymentKind =
    r < mix.invalidShare
      ? 'invalid'
      : r < mix.invalidShare + mix.nsfShare
        ? 'nsf'
        : r < mix.invalidShare + mix.nsfShare + mix.hotShare
          ? 'hot'
          : 'normal';
  const debtor =
    kind === 'nsf' ? pick(pick(world.emptyAccounts, random), random) : pick(world.accounts, random);
  let creditor = kind === 'hot' ? world.hotAccount : pick(world.accounts, random);
  while (creditor.ledgerId === debtor.ledgerId) creditor = pick(world.accounts, random);
  const form: WireForm = mix.form === 'mix' ? pick(['xml', 'json', 'simple'] as const, random) : mix.form;
  // USD 1.00 .. 500.00
  const amountMinor = 100 + Math.floor(random() * 49_901);
  return { kind, form, debtor, creditor, amountMinor };
}

function partnerClients(plan: LoadPlan): PartnerClient[] {
  return plan.keys.map((key) =>
    key.alg === 'ed25519'
      ? new PartnerClient({
          baseUrl: plan.baseUrl,
          keyId: key.keyId,
          alg: 'ed25519',
          privateKey: createPrivateKey(key.privateKeyPem ?? ''),
        })
      : new PartnerClient({
          baseUrl: plan.baseUrl,
          keyId: key.keyId,
          alg: 'hmac-sha256',
          secret: decodeHmacSecret(key.secret ?? ''),
        }),
  );
}

interface HttpOutcome {
  readonly status: number;
  readonly location?: string;
  readonly error?: string;
  readonly shed?: ShedCode;
  readonly retryAfterSeconds?: number;
}

/** Retry-After as delay-seconds (RFC 9110 10.2.3); undefined when absent or not a number. */
export function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}

function send(agent: http.Agent, request: PreparedRequest, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const req = http.request(
      request.url,
      { method: request.method, headers: request.headers, agent, timeout: timeoutMs },
      (res) => {
        // The body is not needed (the payment id is in Location), except to tell an admission
        // control refusal (503 / 429) from another one.
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        if (status === 503 || status === 429) res.on('data', (chunk: Buffer) => chunks.push(chunk));
        else res.resume();
        res.on('end', () => {
          const location = res.headers.location;
          const shed = shedCode(status, Buffer.concat(chunks).toString('utf8'));
          const retryAfter = shed === undefined ? undefined : retryAfterSeconds(res.headers['retry-after']);
          resolve({
            status,
            ...(typeof location === 'string' ? { location } : {}),
            ...(shed !== undefined ? { shed } : {}),
            ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
          });
        });
        res.on('error', (error) => resolve({ status: res.statusCode ?? 0, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.end(request.body);
  });
}

const IDLE_SOCKET_MS = 4_000;

export interface OpenLoopHandle {
  readonly done: Promise<SendRecord[]>;
  progress(): LoadProgress;
}

/** Starts sending at once; `done` resolves when every scheduled payment has its outcome. */
export function runOpenLoop(plan: LoadPlan): OpenLoopHandle {
  const random = seededRandom(plan.seed);
  const offsets = schedule(plan, random);
  const choices = offsets.map(() => choosePayment(plan.world, plan.mix, random));
  const clients = partnerClients(plan);
  // Idle sockets are closed after 4 s, before the server's 5 s keep-alive timeout: reusing a socket
  // the server is closing fails with ECONNRESET (Node's agent ignores the server's Keep-Alive hint
  // unless it has a timeout of its own).
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: Number.POSITIVE_INFINITY,
    timeout: IDLE_SOCKET_MS,
  });
  const records: SendRecord[] = [];
  const byStatus: Record<string, number> = {};
  let sent = 0;
  let lastSendLagMs = 0;
  const start = epochNow() + 20;

  const fire = (seq: number): Promise<void> => {
    const choice = choices[seq];
    const offset = offsets[seq];
    const client = choice === undefined ? undefined : clients[choice.debtor.partnerIndex];
    if (choice === undefined || offset === undefined || client === undefined) return Promise.resolve();
    const intendedAt = start + offset;
    const createdAt = new Date();
    const ref = `${plan.world.runId}${plan.phase}${seq.toString(36)}`;
    const payment = buildPaymentBody(choice.form, {
      endToEndId: `BENCH-${ref}`,
      msgId: fedNowMsgId(createdAt, choice.debtor.routingNumber, ref),
      instrId: `I-${ref}`,
      uetr: randomUUID(),
      debtor: choice.debtor,
      creditor: choice.creditor,
      amountMinor: choice.amountMinor,
      createdAt,
      invalid: choice.kind === 'invalid',
    });
    const prepared = client.prepare('POST', '/payments', {
      body: payment.body,
      contentType: payment.contentType,
    });
    const sentAt = epochNow();
    lastSendLagMs = sentAt - intendedAt;
    sent++;
    return send(agent, prepared, plan.timeoutMs).then((outcome) => {
      const respondedAt = epochNow();
      const key =
        outcome.status === 0
          ? 'error'
          : outcome.shed !== undefined
            ? `shed ${outcome.status}`
            : String(outcome.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      const paymentId = outcome.location?.split('/').pop();
      records.push({
        seq,
        kind: choice.kind,
        form: choice.form,
        partnerIndex: choice.debtor.partnerIndex,
        endToEndId: `BENCH-${ref}`,
        intendedAt,
        sentAt,
        respondedAt,
        status: outcome.status,
        ...(paymentId !== undefined && paymentId !== '' ? { paymentId } : {}),
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
        ...(outcome.shed !== undefined ? { shed: outcome.shed } : {}),
        ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
        requestBytes: prepared.body?.length ?? 0,
      });
    });
  };

  const done = new Promise<SendRecord[]>((resolve) => {
    const pending: Promise<void>[] = [];
    let next = 0;
    const tick = (): void => {
      const now = epochNow();
      while (next < offsets.length && start + (offsets[next] ?? 0) <= now) pending.push(fire(next++));
      if (next < offsets.length) {
        setTimeout(tick, Math.max(0, start + (offsets[next] ?? 0) - epochNow()));
        return;
      }
      void Promise.all(pending).then(() => {
        agent.destroy();
        resolve(records.sort((a, b) => a.seq - b.seq));
      });
    };
    setTimeout(tick, Math.max(0, start - epochNow()));
  });

  return {
    done,
    progress: () => {
      const elapsedMs = epochNow() - start;
      const scheduled = offsets.filter((o) => o <= elapsedMs).length;
      return {
        elapsedMs,
        scheduled,
        sent,
        completed: records.length,
        inFlight: sent - records.length,
        byStatus: { ...byStatus },
        lastSendLagMs,
      };
    },
  };
}
