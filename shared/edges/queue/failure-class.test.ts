import fc from 'fast-check';
import { InternalError, MalformedRequestError, TransientError } from '../../domain/errors';
import { isPermanentRequestError } from '../../adapters/aws-errors';
import { parseSettlementMessage } from '../../domain/settlement-message';
import { classifyFailure, detailOf } from './failure-class';

/** An AWS SDK service error as the SDK shapes it: name and HTTP status. */
function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name} from the service`), { name, $metadata: { httpStatusCode } });
}

function malformed(body: string): unknown {
  try {
    parseSettlementMessage(body);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${body} to be refused`);
}

describe('classifyFailure: permanent (dead-letter at once) or transient (retry, the default)', () => {
  it('a body that is not a settlement message is permanent, with the parser error as detail', () => {
    const body = '{"v":1,"paymentId":"garbled"';
    expect(classifyFailure(malformed(body), body)).toEqual({
      kind: 'permanent',
      reason: 'malformed-message',
      detail: 'MalformedRequestError: settlement message is not JSON',
    });
    const invalid = JSON.stringify({ v: 1, paymentId: 'p', amountMinor: -5 });
    expect(classifyFailure(malformed(invalid), invalid)).toMatchObject({
      kind: 'permanent',
      reason: 'malformed-message',
    });
  });

  it('a message of a newer contract version is transient: a newer consumer may settle it during a deploy', () => {
    const body = JSON.stringify({ v: 2, paymentId: 'p' });
    expect(classifyFailure(malformed(body), body)).toEqual({ kind: 'transient' });
    const older = JSON.stringify({ v: 0, paymentId: 'p' });
    expect(classifyFailure(malformed(older), older)).toMatchObject({ kind: 'permanent' });
  });

  it('an InternalError (unknown payment, message contradicting the recorded payment) is unreconcilable', () => {
    const unknown = new InternalError('settlement message for unknown payment p-1');
    expect(classifyFailure(unknown, '{}')).toEqual({
      kind: 'permanent',
      reason: 'unreconcilable',
      detail: 'InternalError: settlement message for unknown payment p-1',
    });
    // Wrapped, as Powertools idempotency may wrap what the function threw.
    const wrapped = new Error('idempotency', {
      cause: new InternalError('settlement message does not match the recorded payment'),
    });
    expect(classifyFailure(wrapped, '{}')).toMatchObject({ kind: 'permanent', reason: 'unreconcilable' });
  });

  it('a permanent request refusal is permanent only as the injected predicate says (the real one: aws-errors.ts)', () => {
    const tooBig = awsError('ValidationException', 400);
    expect(classifyFailure(tooBig, '{}', isPermanentRequestError)).toEqual({
      kind: 'permanent',
      reason: 'client-error',
      detail: 'ValidationException: ValidationException from the service',
    });
    expect(classifyFailure(tooBig, '{}')).toEqual({ kind: 'transient' }); // no predicate: nothing known
    const persistence = new Error('Failed to save in progress record to idempotency store', {
      cause: tooBig,
    });
    expect(classifyFailure(persistence, '{}', isPermanentRequestError)).toMatchObject({
      reason: 'client-error',
    });
  });

  it('refusals of the caller or the environment stay transient: they are the same for every message', () => {
    for (const error of [
      awsError('AccessDeniedException', 400),
      awsError('ResourceNotFoundException', 400),
      awsError('ExpiredTokenException', 400),
      awsError('UnrecognizedClientException', 400),
      awsError('ThrottlingException', 400),
      awsError('ValidationException', 500), // a 5xx is never a refusal of the request
    ])
      expect({ name: error.name, failure: classifyFailure(error, '{}', isPermanentRequestError) }).toEqual({
        name: error.name,
        failure: { kind: 'transient' },
      });
  });

  it('a TransientError anywhere in the cause chain makes it transient', () => {
    const transientInside = new InternalError('odd', { cause: new TransientError('conflict') });
    expect(classifyFailure(transientInside, '{}', isPermanentRequestError)).toEqual({ kind: 'transient' });
  });

  it('anything else is transient (property: arbitrary thrown values, no permanent kind among them)', () => {
    const thrown = fc.oneof(
      fc.string().map((message) => new Error(message)),
      fc.string().map((message) => new TransientError(message)),
      fc.string().map((message) => new TypeError(message)),
      fc.constantFrom(undefined, null, 42, 'boom', { name: 'ValidationException' }),
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: 100, max: 599 }))
        .filter(([name]) => name !== 'ValidationException' && name !== 'SerializationException')
        .map(([name, status]) => awsError(name, status)),
    );
    fc.assert(
      fc.property(thrown, fc.string(), (error, body) => {
        expect(classifyFailure(error, body, isPermanentRequestError)).toEqual({ kind: 'transient' });
      }),
    );
  });

  it('a cycle of causes ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyFailure(a, '{}')).toEqual({ kind: 'transient' });
  });

  it('the detail is printable ASCII and short, whatever the error says', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (message) => {
        const detail = detailOf(new MalformedRequestError(message));
        expect(detail).toMatch(/^[\x20-\x7e]{0,256}$/);
        expect(detail.startsWith('MalformedRequestError: ')).toBe(true);
      }),
    );
  });
});
