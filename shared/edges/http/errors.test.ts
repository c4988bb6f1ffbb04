import fc from 'fast-check';
import {
  AuthenticationError,
  BusinessRejection,
  ConfigError,
  DuplicateError,
  ForbiddenError,
  InternalError,
  MalformedRequestError,
  NotFoundError,
  TransientError,
  ValidationError,
} from '../../domain/errors';
import { errorResponse } from './errors';

describe('errorResponse', () => {
  it('exposes client errors with status, code, message and field issues', () => {
    const r = errorResponse(
      ValidationError.field('amountMinor', 'AM12', 'must be greater than zero'),
      'req-1',
    );
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(String(r.body))).toEqual({
      error: {
        status: 400,
        code: 'AM12',
        message: 'amountMinor: must be greater than zero',
        issues: [{ field: 'amountMinor', code: 'AM12', message: 'must be greater than zero' }],
        requestId: 'req-1',
      },
    });
  });

  it('answers 401 with a WWW-Authenticate challenge naming the reason', () => {
    const r = errorResponse(new AuthenticationError('stale', 'signature too old'), 'r');
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Signature error="stale"');
  });

  it('hides internals of unexpected errors behind a generic 500', () => {
    const secret = 'db password hunter2 at /var/task/index.js:10';
    for (const error of [
      new Error(secret),
      new InternalError(secret),
      new ConfigError(secret),
      'string',
      undefined,
    ]) {
      const r = errorResponse(error, 'r');
      expect(r.statusCode).toBe(500);
      expect(String(r.body)).not.toContain('hunter2');
      expect(String(r.body)).not.toContain('index.js');
    }
  });

  it('turns transient failures into a retryable 503', () => {
    const r = errorResponse(new TransientError('ThrottlingException'), 'r');
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(String(r.body)).not.toContain('Throttling');
  });

  it('always produces a well-formed JSON response with a 4xx/5xx status (fuzz)', () => {
    const errors = fc.oneof(
      fc.string().map((m) => new Error(m)),
      fc.string().map((m) => new MalformedRequestError(m)),
      fc.string().map((m) => new NotFoundError(m)),
      fc.string().map((m) => new DuplicateError(m)),
      fc.string().map((m) => new ForbiddenError('partner_disabled', m)),
      fc.string().map((m) => new BusinessRejection('AM04', m)),
      fc.anything(),
    );
    fc.assert(
      fc.property(errors, fc.string(), (error, requestId) => {
        const r = errorResponse(error, requestId);
        expect(r.statusCode).toBeGreaterThanOrEqual(400);
        expect(r.statusCode).toBeLessThan(600);
        expect(r.headers['content-type']).toBe('application/json');
        const body = JSON.parse(String(r.body)) as { error: { status: number; code: string } };
        expect(body.error.status).toBe(r.statusCode);
        expect(typeof body.error.code).toBe('string');
        expect(String(r.body)).not.toMatch(/\n\s+at /);
      }),
    );
  });
});
