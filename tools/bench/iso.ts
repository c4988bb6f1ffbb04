/**
 * Micro-benchmark of the ISO 20022 intake: parse + validate + map per message, over every
 * pacs.008 sample, as XML and as the JSON form. Prints the median (and p95) in microseconds.
 *
 *   npx tsx tools/bench/iso.ts [iterations]
 */
import { PACS008_SAMPLES, fixture } from '../../shared/iso20022/__fixtures__';
import {
  parsePaymentMessage,
  toPacs008Json,
  toPaymentInstruction,
  validatePacs008,
} from '../../shared/iso20022';

const iterations = Number(process.argv[2] ?? 2000);
const warmup = 300;

interface Case {
  readonly name: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly sample: (typeof PACS008_SAMPLES)[number];
}

const cases: Case[] = PACS008_SAMPLES.flatMap((sample) => {
  const xml = Buffer.from(fixture(sample.file));
  const json = Buffer.from(
    JSON.stringify(toPacs008Json(parsePaymentMessage({ body: xml, contentType: 'application/xml' }))),
  );
  const name = sample.file.split('/').pop() ?? sample.file;
  return [
    { name: `${name} (xml)`, body: xml, contentType: 'application/xml', sample },
    { name: `${name} (json)`, body: json, contentType: 'application/json', sample },
  ];
});

function once(c: Case): void {
  const parsed = parsePaymentMessage({ body: c.body, contentType: c.contentType });
  const valid = validatePacs008(parsed, {
    partner: c.sample.partner,
    routingCheckDigit: c.sample.routingCheckDigit,
  });
  toPaymentInstruction(valid, c.sample.partner.partnerId);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const all: number[] = [];
const rows: { case: string; bytes: number; medianUs: string; p95Us: string }[] = [];
for (const c of cases) {
  for (let i = 0; i < warmup; i += 1) once(c);
  const times: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = process.hrtime.bigint();
    once(c);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  all.push(...times);
  rows.push({
    case: c.name,
    bytes: c.body.length,
    medianUs: percentile(times, 0.5).toFixed(1),
    p95Us: percentile(times, 0.95).toFixed(1),
  });
}
all.sort((a, b) => a - b);
console.table(rows);
const xmlTimes = rows.filter((r) => r.case.endsWith('(xml)')).map((r) => Number(r.medianUs));
const jsonTimes = rows.filter((r) => r.case.endsWith('(json)')).map((r) => Number(r.medianUs));
const mid = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  ).toFixed(1);
console.log(
  `parse+validate+map, ${cases.length} cases x ${iterations} iterations (Node ${process.version}): ` +
    `median ${percentile(all, 0.5).toFixed(1)} us/message (XML ${mid(xmlTimes)} us, JSON ${mid(jsonTimes)} us), p95 ${percentile(all, 0.95).toFixed(1)} us`,
);
