/**
 * `npm run bench` (tsx tools/bench/run.ts): throughput, end-to-end latency against the SLA, cost per
 * million payments and cold-start size, with the local stand-ins' own limit measured in the same
 * run; with --knee, the knee and an overload step (knee-bench.ts). Flags: see options.ts (`--help`). Writes <out>/results.json and <out>/report.html.
 */
import { runBench } from './bench';
import { runKneeBench } from './knee-bench';
import { parseBenchArgs, USAGE, UsageError } from './options';
import { summaryText } from './summary';

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const write = (text: string) => void process.stdout.write(text);
  const io = { write, isTty: process.stdout.isTTY === true };
  const results = await (options.knee !== undefined ? runKneeBench(options, io) : runBench(options, io));
  write(`\n${summaryText(results)}\n`);
  write(`results: ${results.files.json}${results.files.html ? `\nreport:  ${results.files.html}` : ''}\n`);
  return 0;
}

Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
