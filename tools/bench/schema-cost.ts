/**
 * What the XSD check (shared/iso20022/schema) costs per message: for every pacs.008 sample, the
 * time of `schemaIssues` on an already parsed message, i.e. exactly what the schema step adds to
 * parsePacs008Xml (the worker round trip, libxml2's parse of the body and the validation against
 * the compiled schema), and the one-off start-up (worker + wasm + first schema compile).
 * Run by `npm run bench` before the load, while nothing else runs, and by
 * `npx tsx tools/bench/schema.ts [iterations]` for the per-sample table.
 */
import { PACS008_SAMPLES, fixture } from '../../shared/iso20022/__fixtures__';
import { locateMessage } from '../../shared/iso20022/envelope';
import { PACS008_SPEC } from '../../shared/iso20022/pacs008';
import { schemaIssues } from '../../shared/iso20022/schema';
import { parseXml } from '../../shared/iso20022/xml';

export interface SchemaCaseCost {
  readonly sample: string;
  readonly bytes: number;
  readonly medianUs: number;
  readonly p95Us: number;
}

export interface SchemaCost {
  readonly iterations: number;
  /** First use of each sample's schema in this process (worker, wasm, compile), ms. */
  readonly firstUseMs: number;
  readonly medianUs: number;
  readonly p95Us: number;
  readonly cases: readonly SchemaCaseCost[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

export function measureSchemaCost(iterations = 500, warmup = 100): SchemaCost {
  const cases = PACS008_SAMPLES.map((sample) => {
    const text = fixture(sample.file);
    const root = parseXml(text);
    return {
      name: sample.file.split('/').pop() ?? sample.file,
      text,
      root,
      located: locateMessage(root, PACS008_SPEC),
    };
  });
  let firstUseMs = 0;
  for (const c of cases) {
    const start = process.hrtime.bigint();
    const issues = schemaIssues(c.text, c.root, c.located, PACS008_SPEC);
    firstUseMs += Number(process.hrtime.bigint() - start) / 1e6;
    if (issues.length > 0) throw new Error(`${c.name} does not validate: ${JSON.stringify(issues)}`);
  }
  const all: number[] = [];
  const out: SchemaCaseCost[] = [];
  for (const c of cases) {
    for (let i = 0; i < warmup; i += 1) schemaIssues(c.text, c.root, c.located, PACS008_SPEC);
    const times: number[] = [];
    for (let i = 0; i < iterations; i += 1) {
      const start = process.hrtime.bigint();
      schemaIssues(c.text, c.root, c.located, PACS008_SPEC);
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    out.push({
      sample: c.name,
      bytes: Buffer.byteLength(c.text),
      medianUs: percentile(times, 0.5),
      p95Us: percentile(times, 0.95),
    });
  }
  all.sort((a, b) => a - b);
  return { iterations, firstUseMs, medianUs: percentile(all, 0.5), p95Us: percentile(all, 0.95), cases: out };
}
