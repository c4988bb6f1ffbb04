import { TransientError } from './errors';
import { withRetry } from './retry';

const env = (delays: number[]) => ({
  sleep: async (ms: number) => {
    delays.push(ms);
  },
  random: () => 0.999,
});

describe('withRetry', () => {
  it('retries transient errors with capped exponential backoff, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw new TransientError('conflict');
        return 'ok';
      },
      { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 30 },
      env(delays),
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([9, 19, 29]);
  });

  it('gives up after maxAttempts with the transient error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TransientError('throttled');
        },
        { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        env([]),
      ),
    ).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
  });

  it('never retries non-transient errors', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('bug');
        },
        { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
        env([]),
      ),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  it('stops when the time budget would be exceeded', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TransientError('conflict');
        },
        { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 100 },
        { ...env([]), remainingMs: () => 50 },
      ),
    ).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(1);
  });
});
