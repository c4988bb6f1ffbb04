import { functionKey, InvalidHookEventError } from '../domain/lifecycle-event';
import { runLifecycleHook } from './lifecycle-hook';
import type { CodeDeployPort, DeploymentTarget, HookStatus } from '../domain/ports';

class FakeCodeDeploy implements CodeDeployPort {
  readonly reports: { deploymentId: string; executionId: string; status: HookStatus }[] = [];
  constructor(
    private readonly target: DeploymentTarget | Error,
    private readonly failReport = false,
  ) {}
  async describeTarget(): Promise<DeploymentTarget> {
    if (this.target instanceof Error) throw this.target;
    return this.target;
  }
  async startedAt(): Promise<number | undefined> {
    return undefined;
  }
  async report(deploymentId: string, executionId: string, status: HookStatus): Promise<void> {
    if (this.failReport) throw new Error('AccessDenied');
    this.reports.push({ deploymentId, executionId, status });
  }
}

const event = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'exec-1' };
const settleTarget: DeploymentTarget = {
  functionName: 'rtp-pipeline-prod-settlePayment',
  alias: 'Live',
  currentVersion: '6',
  targetVersion: '7',
};
const prefix = 'rtp-pipeline-prod-';

describe('runLifecycleHook', () => {
  it('runs the check on the deployment target and reports Succeeded', async () => {
    const codedeploy = new FakeCodeDeploy(settleTarget);
    const seen: unknown[] = [];
    const result = await runLifecycleHook(event, { codedeploy, functionPrefix: prefix }, async (context) => {
      seen.push(context);
      return { ok: true, report: { checks: 3 } };
    });
    expect(seen).toEqual([{ deploymentId: 'd-123', target: settleTarget, fn: 'settlePayment' }]);
    expect(result).toMatchObject({ status: 'Succeeded', fn: 'settlePayment', targetVersion: '7' });
    expect(codedeploy.reports).toEqual([
      { deploymentId: 'd-123', executionId: 'exec-1', status: 'Succeeded' },
    ]);
  });

  it.each([
    ['the check fails', settleTarget, async () => ({ ok: false, report: {} })],
    ['the check throws', settleTarget, async () => Promise.reject(new Error('boom'))],
    [
      'CodeDeploy cannot name the target',
      new Error('ThrottlingException'),
      async () => ({ ok: true, report: {} }),
    ],
    [
      'the target is a function the hook does not know',
      { ...settleTarget, functionName: 'someone-else-fn' },
      async () => ({ ok: true, report: {} }),
    ],
  ])('reports Failed when %s (never leaves the deployment waiting)', async (_label, target, check) => {
    const codedeploy = new FakeCodeDeploy(target);
    const result = await runLifecycleHook(event, { codedeploy, functionPrefix: prefix }, check);
    expect(result.status).toBe('Failed');
    expect(codedeploy.reports).toEqual([{ deploymentId: 'd-123', executionId: 'exec-1', status: 'Failed' }]);
  });

  it('refuses an event that is not a lifecycle hook event, reporting nothing', async () => {
    const codedeploy = new FakeCodeDeploy(settleTarget);
    await expect(
      runLifecycleHook({ DeploymentId: 'd-1' }, { codedeploy, functionPrefix: prefix }, async () => ({
        ok: true,
        report: {},
      })),
    ).rejects.toBeInstanceOf(InvalidHookEventError);
    expect(codedeploy.reports).toEqual([]);
  });

  it('throws when the verdict cannot be reported (CodeDeploy then fails the hook on time-out)', async () => {
    const codedeploy = new FakeCodeDeploy(settleTarget, true);
    await expect(
      runLifecycleHook(event, { codedeploy, functionPrefix: prefix }, async () => ({ ok: true, report: {} })),
    ).rejects.toThrow('AccessDenied');
  });
});

describe('functionKey', () => {
  it.each([
    ['rtp-pipeline-prod-submitPayment', 'submitPayment'],
    ['arn:aws:lambda:us-east-1:123456789012:function:rtp-pipeline-prod-getPayment', 'getPayment'],
    ['arn:aws:lambda:us-east-1:123456789012:function:rtp-pipeline-prod-sweepDeadlines:7', 'sweepDeadlines'],
    ['rtp-pipeline-dev-submitPayment', undefined],
    ['rtp-pipeline-prod-preTrafficHook', undefined],
  ])('%s -> %s', (name, key) => {
    expect(functionKey(name, prefix)).toBe(key);
  });
});
