import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The promotion pipeline (.github/workflows/release.yml and the deploy-stage.yml it calls per
 * stage), parsed with a real YAML parser and checked for the properties docs/release.md promises:
 * the job order with its approval gates, one artifact per stage built once and promoted, and
 * each environment deploying with its own role through OIDC.
 *
 * js-yaml is what osls and ESLint parse YAML with (already installed with them). The workflows
 * were also checked with actionlint 1.7.7; see docs/release.md.
 */
const { load } = createRequire(__filename)('js-yaml') as { load(text: string): unknown };
const workflows = path.resolve(__dirname, '../../.github/workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
  env?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(file: string): Workflow {
  const parsed = load(readFileSync(path.join(workflows, file), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('jobs' in parsed))
    throw new Error(`${file} is not a workflow`);
  return parsed as Workflow;
}

const release = workflow('release.yml');
const deployStage = workflow('deploy-stage.yml');
const STAGES = ['dev', 'uat', 'cert', 'prod'] as const;
const needs = (job: Job | undefined) => ([] as string[]).concat(job?.needs ?? []);
const job = (wf: Workflow, id: string): Job => {
  const found = wf.jobs[id];
  if (!found) throw new Error(`no job ${id}`);
  return found;
};
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);

describe('release workflow', () => {
  it('runs on pushes to main and on demand, read-only by default', () => {
    expect(release.on).toHaveProperty('push', { branches: ['main'] });
    expect(release.on).toHaveProperty('workflow_dispatch');
    expect(release.permissions).toEqual({ contents: 'read' });
  });

  it('orders test -> package -> dev -> uat -> cert -> prod', () => {
    expect(Object.keys(release.jobs)).toEqual([
      'test',
      'package',
      'deploy-dev',
      'deploy-uat',
      'deploy-cert',
      'deploy-prod',
    ]);
    expect(needs(release.jobs.test)).toEqual([]);
    expect(needs(release.jobs.package)).toEqual(['test']);
    expect(needs(release.jobs['deploy-dev'])).toEqual(['package']);
    expect(needs(release.jobs['deploy-uat'])).toEqual(['deploy-dev']);
    expect(needs(release.jobs['deploy-cert'])).toEqual(['deploy-uat']);
    expect(needs(release.jobs['deploy-prod'])).toEqual(['deploy-cert']);
  });

  it('tests with the project test command (type-check, lint, unit, integration, e2e)', () => {
    const runs = (job(release, 'test').steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm test');
  });

  it('packages every stage once, offline, and uploads each package as an artifact', () => {
    const pkg = job(release, 'package');
    expect(pkg.strategy?.matrix?.stage).toEqual([...STAGES]);
    const steps = pkg.steps ?? [];
    expect(
      steps.some((s) => /sls package --stage "\$STAGE" .*--package "dist\/\$STAGE"/.test(s.run ?? '')),
    ).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))).toBe(false);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'package-${{ matrix.stage }}',
      path: 'dist/${{ matrix.stage }}',
      'if-no-files-found': 'error',
    });
  });

  it.each(STAGES)(
    'deploys %s through the shared deploy workflow, allowed to request an OIDC token',
    (stage) => {
      const deploy = job(release, `deploy-${stage}`);
      expect(deploy.uses).toBe('./.github/workflows/deploy-stage.yml');
      expect(deploy.with).toEqual({ stage });
      expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const inputs = (deployStage.on.workflow_call as { inputs: Record<string, { required?: boolean }> })
        .inputs;
      expect(Object.keys(deploy.with ?? {}).every((name) => name in inputs)).toBe(true);
    },
  );

  it('never uses long-lived AWS keys from secrets', () => {
    const text =
      readFileSync(path.join(workflows, 'release.yml'), 'utf8') +
      readFileSync(path.join(workflows, 'deploy-stage.yml'), 'utf8');
    expect(text).not.toMatch(/secrets\.AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)/);
  });
});

describe('deploy-stage workflow', () => {
  const deploy = job(deployStage, 'deploy');
  const steps = deploy.steps ?? [];

  it('is callable with the stage as a required input', () => {
    expect(deployStage.on.workflow_call).toEqual({
      inputs: { stage: expect.objectContaining({ required: true, type: 'string' }) },
    });
  });

  it("runs in the stage's GitHub environment (its role variable and, for cert and prod, its required reviewers)", () => {
    expect(deploy.environment).toEqual({ name: '${{ inputs.stage }}' });
    expect(deployStage.permissions).toMatchObject({ 'id-token': 'write' });
  });

  it('assumes the environment role through OIDC', () => {
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' });
    expect(credentials?.with).not.toHaveProperty('aws-access-key-id');
  });

  it('promotes the artifact packaged by the run: downloads it, checks it, deploys it, never rebuilds', () => {
    const download = steps.findIndex((s) => s.uses?.startsWith('actions/download-artifact@'));
    const check = steps.findIndex(
      (s) => /sha256sum --check/.test(s.run ?? '') && /GITHUB_SHA/.test(s.run ?? ''),
    );
    const deployStep = steps.findIndex((s) =>
      /sls deploy --stage "\$STAGE" .*--package "dist\/\$STAGE"/.test(s.run ?? ''),
    );
    expect(steps[download]?.with).toMatchObject({
      name: 'package-${{ inputs.stage }}',
      path: 'dist/${{ inputs.stage }}',
    });
    expect(download).toBeGreaterThanOrEqual(0);
    expect(check).toBeGreaterThan(download);
    expect(deployStep).toBeGreaterThan(check);
    for (const wf of [deployStage]) {
      expect(allSteps(wf).some((s) => /sls package|esbuild|npm run build/.test(s.run ?? ''))).toBe(false);
    }
    // The artifact name the deploy downloads is the one the package job uploads for that stage.
    const upload = (job(release, 'package').steps ?? []).find((s) =>
      s.uses?.startsWith('actions/upload-artifact@'),
    );
    expect(String(upload?.with?.name).replace('matrix.stage', 'inputs.stage')).toBe(
      steps[download]?.with?.name,
    );
  });

  it('never deploys two runs to one stage at once', () => {
    expect((deploy as { concurrency?: unknown }).concurrency).toEqual({
      group: 'deploy-${{ inputs.stage }}',
      'cancel-in-progress': false,
    });
  });
});
