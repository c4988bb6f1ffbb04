import { DEFAULT_KNEE } from './knee';
import { DEFAULT_HOT_ACCOUNT, DEFAULT_OPTIONS, parseBenchArgs, UsageError } from './options';

describe('bench options', () => {
  it('has defaults for every flag', () => {
    const options = parseBenchArgs([], new Date('2026-01-02T03:04:05.678Z'));
    expect(options).toMatchObject({
      rate: DEFAULT_OPTIONS.rate,
      durationSeconds: 60,
      form: 'xml',
      progress: true,
    });
    expect(options?.outDir).toMatch(/bench\/results\/2026-01-02T03-04-05Z$/);
    expect(options?.skip.size).toBe(0);
  });

  it('reads the flags', () => {
    const options = parseBenchArgs([
      '--rate',
      'auto',
      '--duration',
      '5',
      '--hot-share',
      '0.3',
      '--skip',
      'bundles,capacity',
      '--form',
      'mix',
      '--quiet',
    ]);
    expect(options).toMatchObject({
      rate: 'auto',
      durationSeconds: 5,
      hotShare: 0.3,
      form: 'mix',
      progress: false,
    });
    expect([...(options?.skip ?? [])]).toEqual(['bundles', 'capacity']);
    expect(parseBenchArgs(['--help'])).toBeUndefined();
  });

  it('reads --conflicts and its latency (absent: the stack decides)', () => {
    expect(parseBenchArgs([])?.conflicts).toBeUndefined();
    expect(parseBenchArgs(['--conflicts'])?.conflicts).toEqual({ transactionLatencyMs: 0 });
    expect(parseBenchArgs(['--conflicts', '--conflict-latency', '20'])?.conflicts).toEqual({
      transactionLatencyMs: 20,
    });
  });

  it('reads --knee with the default ladder or its own, and --hot-account', () => {
    expect(parseBenchArgs([])?.knee).toBeUndefined();
    expect(parseBenchArgs(['--knee'])?.knee).toEqual(DEFAULT_KNEE);
    expect(
      parseBenchArgs([
        '--knee',
        '--knee-from',
        '4',
        '--knee-step',
        '2',
        '--knee-max',
        '8',
        '--step-duration',
        '3',
        '--overload-factor',
        '2',
      ])?.knee,
    ).toEqual({ fromPerSecond: 4, stepPerSecond: 2, maxPerSecond: 8, stepSeconds: 3, overloadFactor: 2 });
    expect(parseBenchArgs([])?.hotAccount).toBeUndefined();
    expect(parseBenchArgs(['--hot-account'])?.hotAccount).toEqual(DEFAULT_HOT_ACCOUNT);
    expect(parseBenchArgs(['--hot-account', '--hot-payments', '50'])?.hotAccount?.payments).toBe(50);
  });

  it.each([
    [['--knee-from', '5']],
    [['--knee', '--rate', '20']],
    [['--knee', '--duration', '20']],
    [['--knee', '--knee-from', '30', '--knee-max', '20']],
    [['--knee', '--overload-factor', '0.5']],
    [['--knee', '--knee-step', '0']],
    [['--hot-payments', '10']],
    [['--conflict-latency', '20']],
    [['--conflicts', '--conflict-latency', '1.5']],
    [['--conflicts', '--url', 'http://127.0.0.1:3000']],
    [['--rate', '0']],
    [['--rate', 'fast']],
    [['--nsf-share', '1.5']],
    [['--hot-share', '0.6', '--nsf-share', '0.6']],
    [['--form', 'csv']],
    [['--skip', 'everything']],
    [['--url', 'http://example.com']],
    [['--url', 'http://127.0.0.1:3000', '--alg', 'hmac-sha256']],
  ])('refuses %j', (args) => {
    expect(() => parseBenchArgs(args)).toThrow(UsageError);
  });
});
