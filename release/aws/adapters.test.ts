import { CloudWatchMetricsReader } from './cloudwatch-metrics';
import { CodeDeployAdapter } from './codedeploy';
import { LambdaFunctionInvoker } from './lambda-invoker';
import type { CloudWatchApi, CodeDeployApi, LambdaApi } from './runtime-sdk';

type InvokeInput = Parameters<LambdaApi['invoke']>[0];

function fakeLambda(answer: (input: InvokeInput) => Awaited<ReturnType<LambdaApi['invoke']>>) {
  const calls: InvokeInput[] = [];
  const lambda: LambdaApi = {
    invoke: async (input) => {
      calls.push(input);
      return answer(input);
    },
  };
  return { lambda, calls };
}

describe('LambdaFunctionInvoker', () => {
  it('invokes the named published version synchronously with the event as JSON', async () => {
    const { lambda, calls } = fakeLambda((input) => ({
      StatusCode: 200,
      ExecutedVersion: input.Qualifier,
      Payload: Buffer.from(JSON.stringify({ batchItemFailures: [] })),
    }));
    const result = await new LambdaFunctionInvoker(lambda, 'rtp-pipeline-prod-').invoke(
      'settlePayment',
      '7',
      { Records: [] },
    );
    expect(result).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    expect(calls[0]).toMatchObject({
      FunctionName: 'rtp-pipeline-prod-settlePayment',
      Qualifier: '7',
      InvocationType: 'RequestResponse',
    });
    expect(JSON.parse(Buffer.from(calls[0]?.Payload ?? []).toString())).toEqual({ Records: [] });
  });

  it('turns a function error into a failed invocation', async () => {
    const { lambda } = fakeLambda(() => ({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from('{"errorType":"InternalError"}'),
    }));
    await expect(new LambdaFunctionInvoker(lambda, 'p-').invoke('submitPayment', '3', {})).resolves.toEqual({
      ok: false,
      error: 'Unhandled: {"errorType":"InternalError"}',
    });
  });

  it('fails when another version than the one asked for ran', async () => {
    const { lambda } = fakeLambda(() => ({
      StatusCode: 200,
      ExecutedVersion: '2',
      Payload: Buffer.from('null'),
    }));
    await expect(
      new LambdaFunctionInvoker(lambda, 'p-').invoke('getPayment', '3', {}),
    ).resolves.toMatchObject({ ok: false });
  });
});

describe('CodeDeployAdapter', () => {
  function fakeCodeDeploy(overrides: Partial<CodeDeployApi> = {}) {
    const reports: unknown[] = [];
    const api: CodeDeployApi = {
      listDeploymentTargets: async ({ nextToken }) =>
        nextToken
          ? { targetIds: [] }
          : { targetIds: ['rtp-pipeline-prod-settlePayment'], nextToken: 'page-2' },
      getDeploymentTarget: async () => ({
        deploymentTarget: {
          lambdaTarget: {
            lambdaFunctionInfo: {
              functionName: 'rtp-pipeline-prod-settlePayment',
              functionAlias: 'Live',
              currentVersion: '6',
              targetVersion: '7',
            },
          },
        },
      }),
      getDeployment: async () => ({ deploymentInfo: { createTime: new Date(1_000) } }),
      putLifecycleEventHookExecutionStatus: async (input) => void reports.push(input),
      ...overrides,
    };
    return { api, reports };
  }

  it('names the function and versions a deployment shifts (all pages of targets)', async () => {
    const { api } = fakeCodeDeploy();
    await expect(new CodeDeployAdapter(api).describeTarget('d-1')).resolves.toEqual({
      functionName: 'rtp-pipeline-prod-settlePayment',
      alias: 'Live',
      currentVersion: '6',
      targetVersion: '7',
    });
  });

  it('refuses a deployment that is not one Lambda function with a target version', async () => {
    const { api } = fakeCodeDeploy({ listDeploymentTargets: async () => ({ targetIds: ['a', 'b'] }) });
    await expect(new CodeDeployAdapter(api).describeTarget('d-1')).rejects.toThrow('2 targets');
    const { api: noVersion } = fakeCodeDeploy({
      getDeploymentTarget: async () => ({ deploymentTarget: {} }),
    });
    await expect(new CodeDeployAdapter(noVersion).describeTarget('d-1')).rejects.toThrow(
      'not a Lambda deployment',
    );
  });

  it('reports the verdict and reads the start time', async () => {
    const { api, reports } = fakeCodeDeploy();
    const adapter = new CodeDeployAdapter(api);
    await adapter.report('d-1', 'exec-1', 'Failed');
    expect(reports).toEqual([
      { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'exec-1', status: 'Failed' },
    ]);
    await expect(adapter.startedAt('d-1')).resolves.toBe(1_000);
  });
});

describe('CloudWatchMetricsReader', () => {
  it('sums every query over all pages of one GetMetricData', async () => {
    const inputs: Parameters<CloudWatchApi['getMetricData']>[0][] = [];
    const api: CloudWatchApi = {
      getMetricData: async (input) => {
        inputs.push(input);
        return input.NextToken
          ? { MetricDataResults: [{ Id: 'errors', Values: [2] }] }
          : {
              MetricDataResults: [
                { Id: 'errors', Values: [1, 0] },
                { Id: 'dlq', Values: [] },
                { Id: 'unknown', Values: [9] },
              ],
              NextToken: 't',
            };
      },
    };
    const sums = await new CloudWatchMetricsReader(api).sums(
      [
        {
          id: 'errors',
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: 'f', Resource: 'f:Live' },
        },
        {
          id: 'dlq',
          namespace: 'RtpPipeline',
          metricName: 'DlqArrivals',
          dimensions: { service: 's', stage: 'prod' },
        },
      ],
      0,
      60_000,
    );
    expect(sums).toEqual({ errors: 3, dlq: 0 });
    expect(inputs[0]?.MetricDataQueries[0]).toEqual({
      Id: 'errors',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [
            { Name: 'FunctionName', Value: 'f' },
            { Name: 'Resource', Value: 'f:Live' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    expect(inputs[1]?.NextToken).toBe('t');
  });
});
