import fc from 'fast-check';
import { Logger } from '@aws-lambda-powertools/logger';
import { RedactingLogFormatter } from './log-formatter';
import { forbiddenValuesStayOut, plantedTree } from './testing/sensitive-arbitraries';

/**
 * The formatter through a real Powertools Logger: what reaches stdout / stderr is what
 * CloudWatch Logs gets. The Logger's console writes info / debug to process.stdout and
 * warn / error to process.stderr: both are captured.
 */
function captureOutput(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(record),
    jest.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

function newLogger(): Logger {
  return new Logger({
    serviceName: 'rtp-pipeline',
    logLevel: 'DEBUG',
    logFormatter: new RedactingLogFormatter(),
    environment: 'test',
  });
}

describe('RedactingLogFormatter', () => {
  let capture: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    capture = captureOutput();
  });
  afterEach(() => capture.restore());

  it('writes one Powertools-shaped JSON line with persistent correlation keys, redacted', () => {
    const logger = newLogger();
    logger.appendKeys({
      paymentId: 'p-1',
      partnerId: 'demo-bank',
      endToEndId: 'E2E-1',
      debtorAccount: '021000021:1000001',
    });
    logger.info('settling payment for 021000021:1000001', {
      headers: { Signature: 'sig1=:abc=:', 'signature-input': 'sig1=("@method")' },
      creditor: { name: 'Jane Roe' },
      error: new Error('creditor account 011000015:2000001 closed'),
    });
    const [line, ...rest] = capture.lines();
    expect(rest).toEqual([]);
    const entry = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'settling payment for ****0001',
      service: 'rtp-pipeline',
      environment: 'test',
      paymentId: 'p-1',
      partnerId: 'demo-bank',
      endToEndId: 'E2E-1',
      debtorAccount: '****0001',
      headers: { Signature: '[REDACTED]', 'signature-input': '[REDACTED]' },
      creditor: '[REDACTED]',
      error: { name: 'Error', message: 'creditor account ****0001 closed' },
    });
    expect(typeof entry.timestamp).toBe('string');
    expect(line).not.toMatch(/\d{9}:\d{7}/);
    expect(line).not.toContain('Jane Roe');
  });

  it('never prints a planted sensitive value, at any log level, in attributes or persistent keys', () => {
    const logger = newLogger();
    fc.assert(
      fc.property(
        plantedTree(),
        fc.constantFrom('debug', 'info', 'warn', 'error'),
        fc.boolean(),
        ({ tree, forbidden }, level, persistent) => {
          const before = capture.lines().length;
          if (persistent) logger.appendKeys(tree);
          logger[level]('event', persistent ? {} : tree);
          if (persistent) logger.resetKeys();
          const lines = capture.lines().slice(before);
          expect(lines.length).toBeGreaterThanOrEqual(1); // + a warning if a generated key is reserved
          for (const line of lines) {
            expect(() => JSON.parse(line)).not.toThrow();
            forbiddenValuesStayOut(line, forbidden);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
