import fc from 'fast-check';
import { AppError } from '../domain/errors';
import { fixture, PACS008_SAMPLES } from './__fixtures__';
import { parsePaymentMessage, toPacs008Json, toPaymentInstruction, validatePacs008 } from './index';

/**
 * Robustness: whatever arrives, the intake chain (parse -> validate -> map) either returns a
 * valid instruction or throws an AppError subclass; never another error type, never slowly.
 */

const samples = PACS008_SAMPLES.map((s) => ({ ...s, xml: Buffer.from(fixture(s.file)) }));
/**
 * A guard against pathological (super-linear) parsing of a few-KB body, not a speed target (the
 * bench measures speed): 250 ms flaked on this shared 2-core machine under parallel test load,
 * while a runaway parse takes seconds to minutes.
 */
const MAX_CASE_MS = 2_000;

function intake(body: Buffer | string, contentType: string, sampleIndex = 0): void {
  const sample = samples[sampleIndex % samples.length] ?? samples[0];
  if (!sample) throw new Error('no samples');
  const started = performance.now();
  try {
    const parsed = parsePaymentMessage({ body, contentType });
    const valid = validatePacs008(parsed, {
      partner: sample.partner,
      routingCheckDigit: sample.routingCheckDigit,
    });
    const instruction = toPaymentInstruction(valid, sample.partner.partnerId);
    expect(instruction.amount.amountMinor).toBeGreaterThan(0);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.expose).toBe(true);
  }
  expect(performance.now() - started).toBeLessThan(MAX_CASE_MS);
}

const sampleIndex = fc.nat({ max: samples.length - 1 });
const xmlOf = (i: number): Buffer => samples[i]?.xml ?? Buffer.alloc(0);
const NUM_RUNS = 150;

describe('fuzz: XML bodies', () => {
  it('random byte flips of valid samples', () => {
    fc.assert(
      fc.property(
        sampleIndex,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }),
        (i, flips) => {
          const body = Buffer.from(xmlOf(i));
          for (const [at, byte] of flips) body[at % body.length] = byte;
          intake(body, 'application/xml', i);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('truncations of valid samples', () => {
    fc.assert(
      fc.property(sampleIndex, fc.nat(), (i, cut) => {
        const xml = xmlOf(i);
        intake(xml.subarray(0, cut % xml.length), 'text/xml', i);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('unicode and markup spliced into valid samples', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '<',
        '>',
        '&',
        '&amp;',
        '&#0;',
        ']]>',
        '<![CDATA[',
        '<!--',
        '<!DOCTYPE x>',
        '<?pi?>',
        'xmlns:a="b"',
        '"',
        '\u0000',
        '\uFFFF',
      ),
    );
    fc.assert(
      fc.property(sampleIndex, fc.nat(), noise, (i, at, text) => {
        const xml = xmlOf(i).toString('utf8');
        const pos = at % xml.length;
        intake(xml.slice(0, pos) + text + xml.slice(pos), 'application/xml', i);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('arbitrary strings, huge strings and random content types', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.nat({ max: 80_000 }).map((n) => `<a>${'\u00e9'.repeat(n)}</a>`),
        ),
        fc.oneof(
          fc.constantFrom('application/xml', 'application/json', 'text/xml'),
          fc.string({ maxLength: 30 }),
        ),
        (body, contentType) => intake(body, contentType),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a huge name inside a valid sample stays under control', () => {
    fc.assert(
      fc.property(fc.nat({ max: 70_000 }), (n) => {
        intake(xmlOf(0).toString('utf8').replace('Individual A', 'N'.repeat(n)), 'application/xml');
      }),
      { numRuns: 20 },
    );
  });
});

describe('fuzz: JSON bodies', () => {
  const jsonForms = samples.map((s) =>
    toPacs008Json(parsePaymentMessage({ body: s.xml, contentType: 'application/xml' })),
  );

  /** Paths to every leaf of a JSON value. */
  function leafPaths(value: unknown, path: string[] = []): string[][] {
    if (typeof value !== 'object' || value === null) return [path];
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }

  function replaceAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
    const [head, ...rest] = path;
    if (head === undefined || typeof value !== 'object' || value === null) return replacement;
    const copy: Record<string, unknown> = Array.isArray(value)
      ? { ...value }
      : { ...(value as Record<string, unknown>) };
    copy[head] = replaceAt(copy[head], rest, replacement);
    return Array.isArray(value) ? Object.values(copy) : copy;
  }

  it('random JSON values, bare or as FIToFICstmrCdtTrf', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, wrap) => {
        intake(JSON.stringify(wrap ? { FIToFICstmrCdtTrf: value } : value), 'application/json');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('any leaf of a valid JSON message replaced by a random value', () => {
    fc.assert(
      fc.property(
        sampleIndex,
        fc.nat(),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN'),
        ),
        (i, pick, replacement) => {
          const form = jsonForms[i] ?? jsonForms[0];
          const paths = leafPaths(form);
          const path = paths[pick % paths.length] ?? [];
          intake(JSON.stringify(replaceAt(form, path, replacement)), 'application/json', i);
        },
      ),
      { numRuns: NUM_RUNS * 2 },
    );
  });
});
