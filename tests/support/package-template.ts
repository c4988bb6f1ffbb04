import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
}

/**
 * Runs `sls package --stage <stage>` offline (dummy credentials, nothing reaches AWS) into a
 * temporary folder and returns the CloudFormation template it produced.
 */
export async function packageStage(stage: string): Promise<{ template: CfnTemplate; dir: string }> {
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
  const template = JSON.parse(readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { template, dir };
}

export function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
