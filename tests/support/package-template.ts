import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

export interface CfnTemplate {
  Resources: Record<
    string,
    {
      Type: string;
      Properties?: Record<string, unknown>;
      DependsOn?: unknown;
      Condition?: string;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    }
  >;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/**
 * `sls package --stage <stage>` offline (dummy credentials, nothing reaches AWS) into a folder,
 * and the CloudFormation template it produced.
 *
 * Several test files package the same stages (template.test.ts, template-security.test.ts,
 * observability-template.test.ts), possibly in parallel jest workers, and esbuild / osls share
 * the `.esbuild` work folder: packaging runs under a cross-process lock, and its output is cached
 * by a hash of everything it is built from (serverless.yml, infra/, the lock file, the function
 * sources), so each stage is packaged once per change, not once per test file.
 * RTP_PACKAGE_CACHE=0 turns the cache off.
 */
export async function packageStage(stage: string): Promise<{ template: CfnTemplate; dir: string }> {
  const useCache = process.env.RTP_PACKAGE_CACHE !== '0';
  const cacheDir = path.join(os.tmpdir(), 'rtp-package-cache', `${stage}-${inputsHash(stage)}`);
  if (useCache && isComplete(cacheDir)) return { template: readTemplate(cacheDir), dir: cacheDir };
  return withPackageLock(async () => {
    if (useCache && isComplete(cacheDir)) return { template: readTemplate(cacheDir), dir: cacheDir };
    const dir = mkdtempSync(path.join(os.tmpdir(), `rtp-package-${stage}-`));
    await run(path.join(repoRoot, 'node_modules/.bin/sls'), ['package', '--stage', stage, '--package', dir], {
      cwd: repoRoot,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        SLS_TELEMETRY_DISABLED: '1',
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const template = readTemplate(dir);
    if (!useCache) return { template, dir };
    mkdirSync(path.dirname(cacheDir), { recursive: true });
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(dir, cacheDir);
    pruneCache(stage, cacheDir);
    return { template, dir: cacheDir };
  });
}

export function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

function readTemplate(dir: string): CfnTemplate {
  return JSON.parse(readFileSync(path.join(dir, TEMPLATE_FILE), 'utf8')) as CfnTemplate;
}

function isComplete(dir: string): boolean {
  return existsSync(path.join(dir, TEMPLATE_FILE));
}

/** Keeps the two newest cached packages of a stage (older inputs will not come back often). */
function pruneCache(stage: string, keep: string): void {
  const root = path.dirname(keep);
  const entries = readdirSync(root)
    .filter((name) => name.startsWith(`${stage}-`))
    .map((name) => path.join(root, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of entries.slice(2)) if (old !== keep) rmSync(old, { recursive: true, force: true });
}

/** Files a package is built from: the config, its fragments, the dependencies and the sources. */
function inputFiles(): string[] {
  const files = ['serverless.yml', 'package-lock.json', '.npmrc']
    .map((f) => path.join(repoRoot, f))
    .filter((f) => existsSync(f));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  for (const dir of ['infra', 'functions', 'shared']) walk(path.join(repoRoot, dir));
  return files.sort();
}

function inputsHash(stage: string): string {
  const hash = createHash('sha256').update(`${stage}\0${repoRoot}\0`);
  for (const file of inputFiles())
    hash.update(`${path.relative(repoRoot, file)}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** One `sls package` at a time per checkout, across jest workers (a lock directory; stale after 5 minutes). */
async function withPackageLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(
    os.tmpdir(),
    `rtp-package-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`,
  );
  const until = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > until) throw new Error(`sls package lock ${lock} held for too long`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export const DEPLOYABLE_STAGES = ['dev', 'uat', 'cert', 'prod'] as const;
export type DeployableStage = (typeof DEPLOYABLE_STAGES)[number];

/**
 * The packaged template of every deployable stage for a test file: call at module level; it
 * registers a beforeAll that packages each stage once (the package cache makes the next files
 * cheap), and returns a getter for a stage's template.
 */
export function useStageTemplates(): (stage: string) => CfnTemplate {
  const templates = new Map<string, CfnTemplate>();
  beforeAll(async () => {
    for (const stage of DEPLOYABLE_STAGES) templates.set(stage, (await packageStage(stage)).template);
  }, 300_000);
  return (stage) => {
    const t = templates.get(stage);
    if (!t) throw new Error(`no template for ${stage}`);
    return t;
  };
}

/** A resource's Properties; fails the test if the resource is missing. */
export function propertiesOf(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`${logicalId} missing`);
  return resource.Properties ?? {};
}
