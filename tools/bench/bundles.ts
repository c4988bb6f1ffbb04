/**
 * Cold-start size: every function of serverless.yml bundled the way serverless-esbuild does it
 * for a deploy (custom.esbuild: bundle, minify, keepNames, linked source map, platform node,
 * target node20, format cjs, `@aws-sdk/*` and `@smithy/*` left out because the nodejs22.x runtime
 * provides them), into a temporary folder; then per function:
 *  - the minified bundle, its source map and the zip of both (what is uploaded);
 *  - the largest contributors to the bundle (esbuild's metafile, by package);
 *  - the time to load the module in a fresh Node process (`require` only, Node's own start-up
 *    excluded; median of several runs), with the function's environment from serverless.yml, as
 *    on Lambda (NODE_OPTIONS=--enable-source-maps included), the AWS SDK resolved from
 *    node_modules; the part of it that is the AWS SDK packages alone (the runtime's, outside the
 *    bundle); and once more without --enable-source-maps, to show what that option costs.
 * The options mirror serverless.yml's custom.esbuild (keep them in step).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { repoRoot } from '../local/paths';
import { handlerModulePath, type ResolvedServerlessConfig } from '../local/serverless-config';
import { median } from './stats';
import { zip } from './zip';

const run = promisify(execFile);

export interface LoadTime {
  readonly medianMs: number;
  readonly runsMs: readonly number[];
}

export interface BundleReport {
  readonly key: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  readonly zipBytes: number;
  readonly buildMs: number;
  /** Largest contributors to the minified output, by package (or project folder). */
  readonly topInputs: readonly { readonly name: string; readonly bytes: number }[];
  /** With the function's NODE_OPTIONS (serverless.yml: --enable-source-maps). */
  readonly load: LoadTime;
  /** The AWS SDK packages the bundle leaves to the runtime, loaded alone (part of `load`). */
  readonly sdkLoad: LoadTime;
  readonly sdkPackages: readonly string[];
  readonly loadWithoutSourceMaps: LoadTime;
  readonly nodeOptions: string;
}

/** Mirrors serverless.yml custom.esbuild. */
export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  keepNames: true,
  target: 'node20',
  platform: 'node',
  format: 'cjs',
  external: ['@aws-sdk/*', '@smithy/*'],
} as const;

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1] !== undefined) return match[1];
  const [top = input] = input.split('/');
  return `${top}/ (project)`;
}

function topInputs(metafile: Metafile, outfile: string): { name: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(
    ([file]) => path.resolve(file) === path.resolve(outfile),
  )?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, info] of Object.entries(output?.inputs ?? {})) {
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + info.bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
}

/** The function's environment at load: serverless.yml's, plus what Lambda itself sets. */
function loadEnvironment(config: ResolvedServerlessConfig, key: string, dir: string): Record<string, string> {
  const fn = config.functions[key];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn?.environment ?? {})) {
    env[name] = typeof value === 'string' ? value : 'bench-placeholder';
  }
  return {
    PATH: process.env.PATH ?? '',
    ...env,
    NODE_PATH: path.join(repoRoot, 'node_modules'),
    AWS_REGION: config.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: fn?.name ?? key,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn?.memorySize ?? 1024),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dir,
  };
}

/** Requires every module named in $BENCH_MODULES (comma-separated) and prints the time taken. */
const LOAD_SCRIPT =
  "const t=process.hrtime.bigint();for(const m of process.env.BENCH_MODULES.split(','))require(m);" +
  'process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6}))';

/** The runtime-provided packages a bundle requires (esbuild externals). */
function sdkPackages(metafile: Metafile, outfile: string): string[] {
  const output = Object.entries(metafile.outputs).find(
    ([file]) => path.resolve(file) === path.resolve(outfile),
  )?.[1];
  const externals = (output?.imports ?? [])
    .filter((i) => i.external && /^@(aws-sdk|smithy)\//.test(i.path))
    .map((i) => i.path);
  return [...new Set(externals)].sort();
}

async function loadTime(
  modules: readonly string[],
  env: Record<string, string>,
  runs: number,
): Promise<LoadTime> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['-e', LOAD_SCRIPT], {
      env: { ...env, BENCH_MODULES: modules.join(',') },
      timeout: 60_000,
    });
    const parsed: unknown = JSON.parse(stdout);
    if (typeof parsed !== 'object' || parsed === null || !('ms' in parsed) || typeof parsed.ms !== 'number') {
      throw new Error(`unexpected load-time output: ${stdout.slice(0, 200)}`);
    }
    times.push(parsed.ms);
  }
  return { medianMs: median(times), runsMs: times };
}

export async function measureBundles(
  config: ResolvedServerlessConfig,
  opts: { readonly runs: number; readonly log?: (line: string) => void },
): Promise<BundleReport[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtp-bench-bundles-'));
  const reports: BundleReport[] = [];
  try {
    for (const fn of Object.values(config.functions)) {
      opts.log?.(`bundles: ${fn.key}`);
      const { file } = handlerModulePath(fn.handler);
      const outfile = path.join(dir, fn.key, file.replace(/\.ts$/, '.js'));
      const started = Date.now();
      const result = await build({
        ...ESBUILD_OPTIONS,
        external: [...ESBUILD_OPTIONS.external],
        entryPoints: [path.join(repoRoot, file)],
        outfile,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: repoRoot,
      });
      const buildMs = Date.now() - started;
      const code = readFileSync(outfile);
      const map = readFileSync(`${outfile}.map`);
      const relative = file.replace(/\.ts$/, '.js');
      const archive = zip([
        { name: relative, data: code },
        { name: `${relative}.map`, data: map },
      ]);
      writeFileSync(path.join(dir, `${fn.key}.zip`), archive);
      const env = loadEnvironment(config, fn.key, path.join(dir, fn.key));
      const nodeOptions = env.NODE_OPTIONS ?? '';
      const sdk = sdkPackages(result.metafile, outfile);
      reports.push({
        key: fn.key,
        handler: fn.handler,
        memoryMb: fn.memorySize,
        bundleBytes: code.length,
        sourceMapBytes: map.length,
        zipBytes: archive.length,
        buildMs,
        topInputs: topInputs(result.metafile, outfile),
        load: await loadTime([outfile], env, opts.runs),
        sdkLoad: await loadTime(sdk, env, opts.runs),
        sdkPackages: sdk,
        loadWithoutSourceMaps: await loadTime(
          [outfile],
          { ...env, NODE_OPTIONS: nodeOptions.replace('--enable-source-maps', '').trim() },
          opts.runs,
        ),
        nodeOptions,
      });
    }
    return reports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
