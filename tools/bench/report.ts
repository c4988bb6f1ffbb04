/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no external asset) with
 * the targets, the measures, a latency histogram, latency over time against the SLO and SLA, the
 * cost breakdown, the DynamoDB request mix, the bundles and where the CPU went.
 */
import { writeFileSync } from 'node:fs';
import type { BenchResults } from './results';
import { logHistogram } from './stats';
import { hotAccountLine } from './hot-settle';
import { fmtDist, fmtKb, fmtMs, fmtUsd, KNEE_COLUMNS, kneeRows, kneeVerdictLines } from './summary';

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], numericFrom = 1): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td${i >= numericFrom ? ' class="n"' : ''}>${esc(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const WIDTH = 860;
const HEIGHT = 300;
const PAD = { left: 64, right: 16, top: 16, bottom: 40 };
const LOG_MIN_MS = 1;
const LOG_MAX_MS = 30_000;

/** Maps milliseconds to a log-scale coordinate between `from` and `to`. */
function logScale(from: number, to: number): (ms: number) => number {
  const lo = Math.log10(LOG_MIN_MS);
  const hi = Math.log10(LOG_MAX_MS);
  return (ms) =>
    from + ((Math.log10(Math.min(LOG_MAX_MS, Math.max(LOG_MIN_MS, ms))) - lo) / (hi - lo)) * (to - from);
}

const LOG_TICKS = [1, 10, 100, 1000, 10_000];
const tickLabel = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

function histogramSvg(
  values: readonly number[],
  marks: readonly { label: string; ms: number; color: string }[],
): string {
  const bins = logHistogram(values, LOG_MIN_MS, LOG_MAX_MS, 12);
  const x = logScale(PAD.left, WIDTH - PAD.right);
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const y = (count: number) => HEIGHT - PAD.bottom - (count / maxCount) * (HEIGHT - PAD.top - PAD.bottom);
  const bars = bins
    .filter((b) => b.count > 0)
    .map((b) => {
      const x0 = x(b.from);
      const w = Math.max(1, x(b.to) - x0 - 1);
      return `<rect x="${x0.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${w.toFixed(1)}" height="${(HEIGHT - PAD.bottom - y(b.count)).toFixed(1)}" fill="#4a78b5"><title>${esc(`${fmtMs(b.from)} - ${fmtMs(b.to)}: ${b.count}`)}</title></rect>`;
    })
    .join('');
  const ticks = LOG_TICKS.map(
    (t) =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" class="grid"/><text x="${x(t)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
  ).join('');
  // Labels on separate rows, so close marks (SLO and SLA) stay readable.
  const lines = marks
    .map(
      (m, i) =>
        `<line x1="${x(m.ms)}" x2="${x(m.ms)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="${m.color}" stroke-width="2" stroke-dasharray="5 3"/>` +
        `<text x="${x(m.ms) - 4}" y="${PAD.top + 12 + i * 14}" text-anchor="end" fill="${m.color}" class="label">${esc(m.label)}</text>`,
    )
    .join('');
  return (
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="end-to-end latency histogram">` +
    `${ticks}${bars}${lines}` +
    `<text x="${PAD.left}" y="${HEIGHT - 6}">end-to-end latency (log scale)</text>` +
    `<text x="12" y="${PAD.top + 10}">${maxCount}</text><text x="12" y="${HEIGHT - PAD.bottom}">0</text></svg>`
  );
}

function overTimeSvg(
  series: readonly { label: string; color: string; points: readonly { t: number; ms: number }[] }[],
  durationSeconds: number,
  rules: readonly { label: string; ms: number; color: string }[],
): string {
  const y = logScale(HEIGHT - PAD.bottom, PAD.top);
  const tMax = Math.max(1, durationSeconds);
  const x = (t: number) => PAD.left + (t / tMax) * (WIDTH - PAD.left - PAD.right);
  const yTicks = [...LOG_TICKS, 30_000]
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`,
    )
    .join('');
  const step = tMax > 120 ? 30 : tMax > 30 ? 10 : 5;
  const xTicks = Array.from({ length: Math.floor(tMax / step) + 1 }, (_, i) => i * step)
    .map((t) => `<text x="${x(t)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${t}s</text>`)
    .join('');
  const dots = series
    .map((s) => {
      // At most 4000 points per series: every n-th one.
      const every = Math.max(1, Math.ceil(s.points.length / 4000));
      return s.points
        .filter((_, i) => i % every === 0)
        .map(
          (p) =>
            `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="1.6" fill="${s.color}" fill-opacity="0.55"/>`,
        )
        .join('');
    })
    .join('');
  // The first rule's label below its line, the others above (SLO and SLA lines are close on a log axis).
  const ruleLines = rules
    .map(
      (r, i) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(r.ms)}" y2="${y(r.ms)}" stroke="${r.color}" stroke-width="2" stroke-dasharray="6 3"/>` +
        `<text x="${WIDTH - PAD.right - 4 - i * 70}" y="${y(r.ms) + (i === 0 ? 13 : -4)}" text-anchor="end" fill="${r.color}" class="label">${esc(r.label)}</text>`,
    )
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<circle cx="${PAD.left + 10 + i * 200}" cy="${HEIGHT - 8}" r="4" fill="${s.color}"/><text x="${PAD.left + 18 + i * 200}" y="${HEIGHT - 4}">${esc(s.label)}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="latency over time">${yTicks}${xTicks}${ruleLines}${dots}${legend}</svg>`;
}

function section(title: string, body: string): string {
  return `<section><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function kneeSection(r: BenchResults): string {
  const k = r.knee;
  if (k === undefined) return '';
  return section(
    `Knee search: ${k.kneePerSecond === undefined ? 'no knee' : `knee ${k.kneePerSecond}/s`}`,
    htmlTable([...KNEE_COLUMNS], kneeRows(k), 1).replace(
      /<td class="n">(PASS|FAIL[^<]*)<\/td>/g,
      (_, v: string) => `<td class="${v === 'PASS' ? 'met' : 'missed'}">${v}</td>`,
    ) +
      `<ul>${kneeVerdictLines(k)
        .map((line) => `<li>${esc(line)}</li>`)
        .join('')}</ul>` +
      `<p>The measures and charts below are those of the ${k.overload ? 'overload' : 'last'} step.</p>`,
  );
}

export function renderHtmlReport(r: BenchResults): string {
  const m = r.load;
  const e2e = r.timelines.flatMap((t) => (t.e2eMs === undefined ? [] : [t.e2eMs]));
  const parts: string[] = [];

  parts.push(
    section(
      'Targets (reported, not asserted)',
      htmlTable(
        ['target', 'value', 'verdict'],
        r.targets.map((t) => [t.target, t.value, t.verdict]),
        9,
      ).replace(
        /<td>(met|missed|not measured)<\/td>/g,
        (_, v: string) => `<td class="${v.replace(' ', '-')}">${v}</td>`,
      ),
    ),
  );

  if (r.knee) parts.push(kneeSection(r));
  if (r.hotAccount) {
    parts.push(
      section(
        'Hot account (one creditor, many debtors)',
        `<ul><li>conflict layer off: ${esc(hotAccountLine(r.hotAccount.off))}</li>` +
          `<li>conflict layer on: ${esc(hotAccountLine(r.hotAccount.on))}</li></ul>`,
      ),
    );
  }

  const measures: string[][] = [
    [
      'offered',
      `${m.offered.perSecond.toFixed(1)}/s, ${m.offered.payments} payments over ${m.window.seconds.toFixed(0)} s (${r.plan.rateSource})`,
    ],
    [
      'accepted',
      `${m.accepted} (${m.throughput.acceptedPerSecond.toFixed(1)}/s); responses ${JSON.stringify(m.responses)}`,
    ],
    [
      'terminal during the load',
      `${m.throughput.terminalPerSecond.toFixed(1)}/s (settled ${m.throughput.settledPerSecond.toFixed(1)}/s)`,
    ],
    [
      'outcomes',
      `${m.outcomes.settled} settled, ${m.outcomes.rejected} rejected ${JSON.stringify(m.outcomes.rejectedByReason)}, unexpected ${m.outcomes.unexpected}`,
    ],
    ['refused at intake (deliberate)', String(m.deliberateRefusals)],
    [
      'shed at intake (admission control)',
      `${m.shedAtIntake.count} ${JSON.stringify(m.shedAtIntake.byCode)}`,
    ],
    ['errors (not deliberate)', `${m.errors.count} ${m.errors.examples.join('; ')}`],
    [
      'lost / non-terminal',
      `${m.missing} / ${m.nonTerminal}; drain waited ${fmtMs(r.drain.waitedMs)}${r.drain.timedOut ? ' (timed out)' : ''}`,
    ],
    ['accept latency p50/p95/p99/max', fmtDist(m.latencyMs.accept)],
    ['queue wait', fmtDist(m.latencyMs.queueWait)],
    ['settle', fmtDist(m.latencyMs.settle)],
    [`end to end (${m.endToEndSource})`, fmtDist(m.latencyMs.endToEnd)],
    ['end to end from the records', fmtDist(m.latencyMs.endToEndRecord)],
    ['partner send -> terminal', fmtDist(m.latencyMs.partner)],
    ['load generator lag', fmtDist(m.latencyMs.senderLag)],
  ];
  if (r.limit) {
    measures.push([
      'limit (same run)',
      `DynamoDB Local ${r.limit.dynamodbSettlePerSecond.toFixed(1)} settlement tx/s, fauxqs ${r.limit.sqsFifoPerSecond.toFixed(0)} msg/s; pipeline at ${(r.limit.ratio * 100).toFixed(0)} % / ${(r.limit.sqsRatio * 100).toFixed(0)} %`,
    ]);
  }
  parts.push(section('Measures', htmlTable(['measure', 'value'], measures, 9)));

  parts.push(
    section(
      'End-to-end latency histogram',
      histogramSvg(e2e, [
        {
          label: `p50 ${fmtMs(m.latencyMs.endToEnd?.p50)}`,
          ms: m.latencyMs.endToEnd?.p50 ?? 1,
          color: '#2a9d5b',
        },
        {
          label: `p99 ${fmtMs(m.latencyMs.endToEnd?.p99)}`,
          ms: m.latencyMs.endToEnd?.p99 ?? 1,
          color: '#d08a00',
        },
        { label: `SLO ${r.plan.sloSeconds} s`, ms: r.plan.sloSeconds * 1000, color: '#c77800' },
        { label: `SLA ${r.plan.slaSeconds} s`, ms: r.plan.slaSeconds * 1000, color: '#c0392b' },
      ]),
    ),
  );
  parts.push(
    section(
      'Latency over time (by scheduled send time)',
      overTimeSvg(
        [
          {
            label: 'end to end',
            color: '#4a78b5',
            points: r.timelines.flatMap((t) =>
              t.e2eMs === undefined ? [] : [{ t: t.offsetSeconds, ms: t.e2eMs }],
            ),
          },
          {
            label: 'accept (HTTP)',
            color: '#2a9d5b',
            points: r.timelines.map((t) => ({ t: t.offsetSeconds, ms: t.acceptMs })),
          },
        ],
        m.window.seconds,
        [
          { label: `SLO ${r.plan.sloSeconds} s`, ms: r.plan.sloSeconds * 1000, color: '#c77800' },
          { label: `SLA ${r.plan.slaSeconds} s`, ms: r.plan.slaSeconds * 1000, color: '#c0392b' },
        ],
      ),
    ),
  );

  if (r.cost) {
    const c = r.cost;
    parts.push(
      section(
        `Modelled AWS cost: ${fmtUsd(c.perMillion)} per million payments`,
        htmlTable(
          ['service', 'item', 'per payment', 'unit', 'USD per million payments'],
          c.lines.map((l) => [
            l.service,
            l.item,
            l.perPayment.toPrecision(3),
            l.unit,
            l.perMillion.toFixed(3),
          ]),
          2,
        ) +
          `<p>Fixed per month: ${fmtUsd(c.fixedPerMonth)}. At ${c.monthly.paymentsPerMinute} payments/minute (${c.monthly.payments.toLocaleString('en-US')} a month): ` +
          `<b>${fmtUsd(c.monthly.total)}</b> a month (${fmtUsd(c.monthly.variable)} variable + ${fmtUsd(c.monthly.fixed)} fixed). ` +
          `Storage: ${fmtKb(c.storage.bytesPerPayment)} per payment kept, ${fmtUsd(c.storage.perMillionPerMonthRetained)} per million payments per month retained.</p>` +
          htmlTable(
            ['service', 'fixed item', 'USD per month'],
            c.fixed.map((f) => [f.service, f.item, f.perMonth.toFixed(2)]),
            2,
          ) +
          `<ul>${c.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>`,
      ),
    );
  }

  if (r.pipeline) {
    const p = r.pipeline;
    parts.push(
      section(
        'DynamoDB requests (measured phase)',
        htmlTable(
          [
            'request',
            'requests',
            'per payment',
            'failed',
            'WRU (AWS rules)',
            'index WRU',
            'RRU',
            'DynamoDB Local reported',
            'USD per million payments',
            'latency p50 / p99',
          ],
          p.meter.dynamodb.map((op) => {
            const prices = r.cost?.dynamodbUnitPrices;
            const usd =
              prices === undefined
                ? undefined
                : (((op.wru + op.indexWru) * prices.wru + op.rru * prices.rru) / Math.max(1, m.accepted)) *
                  1e6;
            return [
              `${op.key}${op.background ? ' (sweeper)' : ''}`,
              String(op.requests),
              (op.requests / Math.max(1, m.accepted)).toFixed(2),
              String(op.failed),
              op.wru.toFixed(0),
              op.indexWru.toFixed(0),
              op.rru.toFixed(1),
              op.reportedUnits.toFixed(1),
              usd === undefined ? '-' : usd.toFixed(2),
              `${fmtMs(op.latencyMs?.p50)} / ${fmtMs(op.latencyMs?.p99)}`,
            ];
          }),
        ) +
          `<p>SQS sends ${p.meter.sqs.sendRequests} (${p.meter.sqs.chunks} chunks, ${(p.meter.sqs.bodyBytes / Math.max(1, p.meter.sqs.messages)).toFixed(0)} B per message); ` +
          `poller: ${p.poller.receives} receives, ${p.poller.invocations} settle invocations (${(p.poller.messagesReceived / Math.max(1, p.poller.invocations)).toFixed(2)} records each), ` +
          `${p.poller.failed} failed, ${p.poller.partiallyFailed} partial; log lines ${p.logs.lines} (${fmtKb(p.logs.bytes)}).</p>`,
      ),
    );
    if (p.cpu) {
      parts.push(
        section(
          'Where the CPU went during the load',
          htmlTable(
            ['process', 'CPU % of one core'],
            [
              ...Object.entries(p.cpu.processes).map(([name, pct]) => [name, pct.toFixed(0)]),
              ['whole machine (% of all cores)', p.cpu.machineBusyPercent?.toFixed(0) ?? '?'],
            ],
          ) +
            `<p>Event-loop delay of the benchmark process: p50 ${fmtMs(p.cpu.eventLoopDelayMs.p50)}, p99 ${fmtMs(p.cpu.eventLoopDelayMs.p99)}, max ${fmtMs(p.cpu.eventLoopDelayMs.max)}.</p>`,
        ),
      );
    }
  }

  if (r.bundles) {
    parts.push(
      section(
        'Bundles (cold start)',
        htmlTable(
          [
            'function',
            'minified',
            'source map',
            'zip',
            'module load (median)',
            'AWS SDK alone',
            'without --enable-source-maps',
            'largest contributors',
          ],
          r.bundles.map((b) => [
            b.key,
            fmtKb(b.bundleBytes),
            fmtKb(b.sourceMapBytes),
            fmtKb(b.zipBytes),
            fmtMs(b.load.medianMs),
            `${fmtMs(b.sdkLoad.medianMs)} (${b.sdkPackages.join(', ')})`,
            fmtMs(b.loadWithoutSourceMaps.medianMs),
            b.topInputs.map((i) => `${i.name} ${fmtKb(i.bytes)}`).join(', '),
          ]),
        ),
      ),
    );
  }

  const meta = r.meta;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rtp-pipeline bench ${esc(meta.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#1d2733;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid #e6eaef;padding:4px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f6f9}
td.met{color:#1e7a44;font-weight:600}td.missed{color:#b03a2e;font-weight:600}td.not-measured{color:#7a8591}
svg{width:100%;height:auto;background:#fbfcfd;border:1px solid #e6eaef}svg text{font-size:11px}svg text:not([fill]){fill:#4d5a67}svg text.label{paint-order:stroke;stroke:#fff;stroke-width:3px;font-weight:600}svg .grid{stroke:#e6eaef}
.meta{color:#5b6773}
</style></head><body>
<h1>rtp-pipeline benchmark</h1>
<p class="meta">${esc(meta.startedAt)} &rarr; ${esc(meta.finishedAt)} &middot; run ${esc(meta.runId)} &middot; ${esc(meta.target)} stack ${esc(meta.url)} &middot;
Node ${esc(meta.node)} on ${esc(meta.platform)}, ${meta.cpus} &times; ${esc(meta.cpuModel)} &middot; ${r.plan.rate.toFixed(1)} payments/s for ${r.plan.durationSeconds} s</p>
${parts.join('\n')}
<p class="meta">Options: ${esc(JSON.stringify(meta.options))}</p>
</body></html>
`;
}

export function writeHtmlReport(r: BenchResults, file: string): void {
  writeFileSync(file, renderHtmlReport(r));
}
