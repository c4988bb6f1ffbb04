import { InternalError, MalformedRequestError, TransientError } from '../../domain/errors';

/**
 * Why a settlement record failed, as the settle consumer acts on it:
 *  - `permanent`: the message can never succeed, however often it is received. The consumer sends it
 *    to the dead-letter queue at once and deletes it, so the rest of its message group goes on;
 *  - `transient`: a retry may succeed (conflict, throttling, time-out, a failing dependency) or the
 *    cause is not known. The safe default: the record and the rest of its group are reported as
 *    batch item failures and come back after a short visibility backoff, as before.
 *
 * Permanent, by what the code knows about the error (its class, never its message text):
 *  - `malformed-message`: the body is not a settlement message this version reads
 *    (MalformedRequestError from parseSettlementMessage). Except a message of a NEWER contract
 *    version (`v` above the one this code reads): during a deploy a newer consumer may settle it, so it
 *    is transient;
 *  - `unreconcilable`: an InternalError: the message cannot be reconciled with the recorded state
 *    (a payment that does not exist, a message that contradicts the recorded payment, a journal or
 *    account item that breaks an invariant). Retrying reads the same state again;
 *  - `client-error`: a refusal of the request itself that no retry cures (e.g. DynamoDB
 *    ValidationException: a key or item over DynamoDB's limits), as told by the injected
 *    `isPermanentClientError` (the edge does not know AWS errors: shared/wiring/settle.ts hands it
 *    shared/adapters/aws-errors.ts's isPermanentRequestError).
 * A TransientError anywhere in the error's cause chain makes it transient, whatever else it holds.
 */
export type PoisonReason = 'malformed-message' | 'unreconcilable' | 'client-error';

export type FailureClass =
  | { readonly kind: 'transient' }
  | { readonly kind: 'permanent'; readonly reason: PoisonReason; readonly detail: string };

/** The settlement message contract version this code reads (shared/domain/settlement-message.ts). */
const READ_VERSION = 1;
/** Causes followed at most (a cycle of causes must not loop). */
const MAX_CAUSES = 8;
/** Longest detail kept (an SQS message attribute; the logs have the whole error). */
const MAX_DETAIL = 256;

export function classifyFailure(
  error: unknown,
  body: string,
  isPermanentClientError: (error: unknown) => boolean = () => false,
): FailureClass {
  const chain = causeChain(error);
  if (chain.some((link) => link instanceof TransientError)) return { kind: 'transient' };
  const permanent = (reason: PoisonReason, link: unknown): FailureClass => ({
    kind: 'permanent',
    reason,
    detail: detailOf(link),
  });
  const [first] = chain;
  if (first instanceof MalformedRequestError) {
    return fromNewerVersion(body) ? { kind: 'transient' } : permanent('malformed-message', first);
  }
  const internal = chain.find((link) => link instanceof InternalError);
  if (internal !== undefined) return permanent('unreconcilable', internal);
  const refused = chain.find((link) => isPermanentClientError(link));
  if (refused !== undefined) return permanent('client-error', refused);
  return { kind: 'transient' };
}

/** The error and its causes (`cause`), outermost first. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let link: unknown = error;
  while (link !== undefined && link !== null && chain.length < MAX_CAUSES && !chain.includes(link)) {
    chain.push(link);
    link = link instanceof Error ? link.cause : undefined;
  }
  return chain;
}

/** A JSON object whose `v` is a version above the one this code reads. */
function fromNewerVersion(body: string): boolean {
  try {
    const v = (JSON.parse(body) as { v?: unknown } | null)?.v;
    return typeof v === 'number' && Number.isInteger(v) && v > READ_VERSION;
  } catch {
    return false;
  }
}

/** `<name>: <message>`, printable ASCII only (an SQS attribute; the text may echo the body), short. */
export function detailOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_DETAIL);
}
