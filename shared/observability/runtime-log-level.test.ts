import { RuntimeLogLevel, type ParameterFetcher } from './runtime-log-level';

function fakeLogger(level = 'INFO') {
  const state = { level, warnings: [] as unknown[][], infos: [] as unknown[][] };
  return {
    state,
    logger: {
      getLevelName: () => state.level as 'INFO',
      setLogLevel: (l: string) => {
        state.level = l;
      },
      info: (...args: unknown[]) => {
        state.infos.push(args);
      },
      warn: (...args: unknown[]) => {
        state.warnings.push(args);
      },
    },
  };
}

describe('RuntimeLogLevel (SSM runtime settings)', () => {
  it('does nothing without a parameter (local stage)', async () => {
    const { logger, state } = fakeLogger();
    const fetch = jest.fn<ReturnType<ParameterFetcher>, Parameters<ParameterFetcher>>();
    await new RuntimeLogLevel({ logger, maxAgeSeconds: 60, fetch }).refresh();
    expect(fetch).not.toHaveBeenCalled();
    expect(state.level).toBe('INFO');
  });

  it('applies the parameter level, reads at most once per cache age, and returns to the deployed level when it is unset', async () => {
    const { logger, state } = fakeLogger('INFO');
    let now = 0;
    let value: unknown = { logLevel: 'debug' };
    const fetch = jest.fn(async () => value);
    const runtime = new RuntimeLogLevel({
      logger,
      parameterName: '/rtp-pipeline/dev/observability',
      maxAgeSeconds: 60,
      fetch,
      now: () => now,
    });

    await runtime.refresh();
    expect(state.level).toBe('DEBUG');
    expect(fetch).toHaveBeenCalledWith('/rtp-pipeline/dev/observability', 60);

    now = 59_000;
    value = { logLevel: 'ERROR' };
    await runtime.refresh();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(state.level).toBe('DEBUG');

    now = 60_000;
    await runtime.refresh();
    expect(state.level).toBe('ERROR');

    now = 120_000;
    value = {};
    await runtime.refresh();
    expect(state.level).toBe('INFO');
  });

  it('keeps the current level and warns once when SSM fails or the value is wrong, never throwing', async () => {
    const { logger, state } = fakeLogger('WARN');
    let now = 0;
    const outcomes: (() => Promise<unknown>)[] = [
      () => Promise.reject(new Error('ParameterNotFound')),
      () => Promise.resolve('not json'),
      () => Promise.resolve({ logLevel: 'LOUD' }),
    ];
    const fetch = jest.fn(() => (outcomes.shift() ?? (() => Promise.resolve({})))());
    const runtime = new RuntimeLogLevel({
      logger,
      parameterName: '/p',
      maxAgeSeconds: 1,
      fetch,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) {
      await expect(runtime.refresh()).resolves.toBeUndefined();
      now += 1_000;
    }
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(state.level).toBe('WARN');
    expect(state.warnings).toHaveLength(1);
  });
});
