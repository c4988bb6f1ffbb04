/**
 * Cost of the XSD check (shared/iso20022/schema) per message: for every pacs.008 sample, the
 * median (and p95) time of `schemaIssues` on an already parsed message, i.e. exactly what the
 * schema step adds to parsePacs008Xml: the worker round trip (postMessage + Atomics.wait +
 * receiveMessageOnPort), libxml2's parse of the body and the validation against the compiled
 * schema(s). Also prints the one-off start-up (worker + wasm + first schema compile).
 *
 *   npx tsx scripts/bench-schema.ts [iterations]
 */
import { PACS008_SAMPLES, fixture } from '../shared/iso20022/__fixtures__';
import { locateMessage } from '../shared/iso20022/envelope';
import { PACS008_SPEC } from '../shared/iso20022/pacs008';
import { closeSchemaValidator, schemaIssues } from '../shared/iso20022/schema';
import { parseXml } from '../shared/iso20022/xml';

const iterations = Number(process.argv[2] ?? 2000);
const warmup = 200;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

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

const startups: { schema: string; ms: string }[] = [];
for (const c of cases) {
  const start = process.hrtime.bigint();
  const issues = schemaIssues(c.text, c.root, c.located, PACS008_SPEC);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (issues.length > 0) throw new Error(`${c.name} does not validate: ${JSON.stringify(issues)}`);
  if (ms > 5) startups.push({ schema: c.name, ms: ms.toFixed(1) });
}

const all: number[] = [];
const rows: { case: string; bytes: number; medianUs: string; p95Us: string }[] = [];
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
  rows.push({
    case: c.name,
    bytes: Buffer.byteLength(c.text),
    medianUs: percentile(times, 0.5).toFixed(1),
    p95Us: percentile(times, 0.95).toFixed(1),
  });
}
all.sort((a, b) => a - b);

console.log('First use (worker start + wasm + schema compile), ms:');
console.table(startups);
console.log(`Schema check per message, ${iterations} iterations per sample (us):`);
console.table(rows);
console.log(
  `all samples: median ${percentile(all, 0.5).toFixed(1)} us, p95 ${percentile(all, 0.95).toFixed(1)} us`,
);
closeSchemaValidator();
