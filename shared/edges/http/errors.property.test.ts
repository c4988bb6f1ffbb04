import fc from 'fast-check';
import {
  AppError,
  AuthenticationError,
  BusinessRejection,
  ConfigError,
  DuplicateError,
  ForbiddenError,
  InternalError,
  MalformedRequestError,
  NotFoundError,
  NotPermittedError,
  OverloadedError,
  PayloadTooLargeError,
  PermanentEnqueueError,
  TooManyRequestsError,
  TransientError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../domain/errors';
import { errorResponse, httpStatusOf } from './errors';

/** Marks the messages of unexposed errors: none may reach a response body. */
const HIDDEN = 'HIDDEN-7f3a';

const message = fc.string({ maxLength: 40 });
const hidden = message.map((m) => `${HIDDEN}${m}`);
const exposed: fc.Arbitrary<AppError> = fc.oneof(
  message.map((m) => ValidationError.field('amountMinor', 'AM12', m)),
  message.map((m) => new NotPermittedError([{ field: 'debtorAccount', code: 'AGNT', message: m }])),
  message.map((m) => new MalformedRequestError(m)),
  message.map((m) => new PayloadTooLargeError(m)),
  message.map((m) => new UnsupportedMediaTypeError(m)),
  fc
    .tuple(fc.constantFrom('stale', 'bad_signature', 'replayed'), message)
    .map(([r, m]) => new AuthenticationError(r, m)),
  message.map((m) => new ForbiddenError('partner_disabled', m)),
  message.map((m) => new NotFoundError(m)),
  message.map((m) => new TooManyRequestsError(m)),
  message.map((m) => new DuplicateError(m)),
  message.map((m) => new BusinessRejection('AM04', m)),
  fc
    .tuple(
      fc.constantFrom('overloaded', 'partner_share') as fc.Arbitrary<'overloaded' | 'partner_share'>,
      fc.nat(60),
    )
    .map(([reason, seconds]) => new OverloadedError(reason, seconds)),
);
const unexposed: fc.Arbitrary<unknown> = fc.oneof(
  hidden.map((m) => new Error(m)),
  hidden.map((m) => new TypeError(m)),
  hidden.map((m) => new InternalError(m)),
  hidden.map((m) => new ConfigError(m)),
  hidden.map((m) => new TransientError(m)),
  hidden.map((m) => new PermanentEnqueueError(m, 'InvalidMessageContents')),
  hidden.map((m) => ({ message: m, stack: `Error: ${m}\n    at handler (/var/task/index.js:1:1)` })),
  hidden,
  fc.anything(),
);

function check(error: unknown, requestId: string) {
  const r = errorResponse(error, requestId);
  expect(r.statusCode).toBeGreaterThanOrEqual(400);
  expect(r.statusCode).toBeLessThan(600);
  expect(r.headers['content-type']).toBe('application/json');
  const body = JSON.parse(String(r.body)) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error['status']).toBe(r.statusCode);
  expect(typeof body.error['code']).toBe('string');
  expect(body.error['requestId']).toBe(requestId);
  for (const key of Object.keys(body.error)) {
    expect(['status', 'code', 'message', 'issues', 'requestId']).toContain(key);
  }
  expect(String(r.body)).not.toContain('/var/task');
  if (error instanceof Error && error.stack) {
    const frame = error.stack.split('\n')[1]?.trim();
    if (frame) expect(String(r.body)).not.toContain(JSON.stringify(frame).slice(1, -1));
  }
  return { r, body };
}

describe('errorResponse (property: any thrown value)', () => {
  it('answers an exposed error with its mapped status, code and message', () => {
    fc.assert(
      fc.property(exposed, fc.string(), (error, requestId) => {
        const { r, body } = check(error, requestId);
        expect(r.statusCode).toBe(httpStatusOf(error));
        expect(body.error['code']).toBe(error.code);
        expect(body.error['message']).toBe(error.message);
      }),
    );
  });

  it('answers anything else with a generic 500 / 503, never its message or stack', () => {
    fc.assert(
      fc.property(unexposed, fc.string(), (error, requestId) => {
        const { r, body } = check(error, requestId);
        expect([500, 503]).toContain(r.statusCode);
        expect(r.statusCode === 503).toBe(error instanceof TransientError);
        expect(String(r.body)).not.toContain(HIDDEN);
        expect(['internal error', 'temporarily unavailable, retry']).toContain(body.error['message']);
      }),
    );
  });
});
