import type { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { PermanentEnqueueError, TransientError } from '../../domain/errors';
import { asciiJson, SqsPaymentQueue } from './payment-queue';
import type { SettlementMessage } from '../../domain/settlement-message';

const message: SettlementMessage = {
  v: 1,
  paymentId: 'pay-1',
  partnerId: 'demo-bank',
  debtorAccount: '021000021:1000001',
  creditorAccount: '011000015:2000001',
  amountMinor: 100,
  currency: 'USD',
  deadline: '2026-01-01T00:00:15.000Z',
  acceptedAt: '2026-01-01T00:00:00.000Z',
  endToEndId: 'E2E-1',
};

/** Any string, lone surrogates included (the whole UTF-16 code unit range). */
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

describe('asciiJson', () => {
  it('is printable ASCII and JSON.parse gives back the identical value, for any content', () => {
    fc.assert(
      fc.property(
        fc.dictionary(anyString, fc.oneof(anyString, fc.integer(), fc.array(anyString, { maxLength: 3 }))),
        (value) => {
          const text = asciiJson(value);
          expect(text).toMatch(/^[\x20-\x7e]*$/);
          expect(JSON.parse(text)).toEqual(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escapes astral characters as surrogate pairs, and lone surrogates, U+FFFE and DEL too', () => {
    expect(asciiJson({ e: 'é😀' })).toBe('{"e":"\\u00e9\\ud83d\\ude00"}');
    expect(asciiJson(['\ud800', '\ufffe', '\x7f', '\n'])).toBe('["\\ud800","\\ufffe","\\u007f","\\n"]');
    expect(JSON.parse(asciiJson('\udfff-\ud83d'))).toBe('\udfff-\ud83d');
  });

  it('leaves ASCII-only messages exactly as JSON.stringify writes them', () => {
    expect(asciiJson(message)).toBe(JSON.stringify(message));
  });
});

function awsError(name: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(httpStatusCode !== undefined ? { $metadata: { httpStatusCode } } : {}),
  });
}

function queueThrowing(error: unknown): { queue: SqsPaymentQueue; bodies: string[] } {
  const bodies: string[] = [];
  const sqs = {
    send: async (command: { input: { MessageBody?: string } }) => {
      bodies.push(command.input.MessageBody ?? '');
      throw error;
    },
  } as unknown as SQSClient;
  return { queue: new SqsPaymentQueue(sqs, 'https://sqs.local/q.fifo'), bodies };
}

describe('SqsPaymentQueue errors', () => {
  it.each([
    ['InvalidMessageContents', 400],
    ['InvalidParameterValue', 400],
    ['QueueDoesNotExist', 400],
    ['AccessDeniedException', 403],
  ])('a permanent refusal (%s, %i) is a PermanentEnqueueError', async (name, status) => {
    const { queue } = queueThrowing(awsError(name, status));
    const refused = queue.enqueue(message);
    await expect(refused).rejects.toBeInstanceOf(PermanentEnqueueError);
    await expect(refused).rejects.toMatchObject({
      awsErrorName: name,
      code: 'ENQUEUE_REFUSED',
      expose: false,
    });
  });

  it.each([
    ['ThrottlingException', 400],
    ['RequestThrottled', 403],
    ['KmsThrottled', 400],
    ['InternalError', 500],
    ['TooManyRequests', 429],
  ])('a transient failure (%s, %i) is a TransientError', async (name, status) => {
    const { queue } = queueThrowing(awsError(name, status));
    await expect(queue.enqueue(message)).rejects.toBeInstanceOf(TransientError);
  });

  it('an error without an HTTP status (credentials, a bug) is rethrown as is', async () => {
    const error = awsError('CredentialsProviderError');
    const { queue } = queueThrowing(error);
    await expect(queue.enqueue(message)).rejects.toBe(error);
  });

  it('sends the ASCII form of the message', async () => {
    const { queue, bodies } = queueThrowing(awsError('InvalidMessageContents', 400));
    await expect(queue.enqueue({ ...message, endToEndId: 'é😀' })).rejects.toThrow(PermanentEnqueueError);
    expect(bodies).toEqual([asciiJson({ ...message, endToEndId: 'é😀' })]);
  });
});
