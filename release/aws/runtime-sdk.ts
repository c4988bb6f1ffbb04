import { createRequire } from 'node:module';

/**
 * The AWS SDK v3 clients only the release hooks use (Lambda, CodeDeploy, CloudWatch) are not
 * dependencies of this project: the nodejs22.x runtime ships the whole SDK v3, serverless.yml
 * keeps `@aws-sdk/*` out of every bundle, and nothing else needs them. The hook handlers load
 * them from the runtime when they first run; the adapters (release/aws/*.ts) are written
 * against the minimal structural interfaces below, which the SDK's aggregated clients (`Lambda`,
 * `CodeDeploy`, `CloudWatch`) satisfy, so their logic is unit-tested with plain fakes.
 */
export interface LambdaApi {
  invoke(input: {
    FunctionName: string;
    Qualifier?: string;
    InvocationType?: 'RequestResponse';
    Payload?: Uint8Array;
  }): Promise<{
    StatusCode?: number;
    FunctionError?: string;
    Payload?: Uint8Array;
    ExecutedVersion?: string;
  }>;
}

export interface LambdaFunctionInfoShape {
  functionName?: string;
  functionAlias?: string;
  currentVersion?: string;
  targetVersion?: string;
}

export interface CodeDeployApi {
  listDeploymentTargets(input: {
    deploymentId: string;
    nextToken?: string;
  }): Promise<{ targetIds?: string[]; nextToken?: string }>;
  getDeploymentTarget(input: { deploymentId: string; targetId: string }): Promise<{
    deploymentTarget?: { lambdaTarget?: { lambdaFunctionInfo?: LambdaFunctionInfoShape } };
  }>;
  getDeployment(input: { deploymentId: string }): Promise<{ deploymentInfo?: { createTime?: Date } }>;
  putLifecycleEventHookExecutionStatus(input: {
    deploymentId: string;
    lifecycleEventHookExecutionId: string;
    status: 'Succeeded' | 'Failed';
  }): Promise<unknown>;
}

export interface MetricDataQueryShape {
  Id: string;
  MetricStat: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
  ReturnData: boolean;
}

export interface CloudWatchApi {
  getMetricData(input: {
    MetricDataQueries: MetricDataQueryShape[];
    StartTime: Date;
    EndTime: Date;
    NextToken?: string;
  }): Promise<{ MetricDataResults?: { Id?: string; Values?: number[] }[]; NextToken?: string }>;
}

type ClientClass<T> = new (config: { region?: string }) => T;

const runtimeRequire = createRequire(__filename);

function loadClient<T>(packageName: string, className: string, region: string | undefined): T {
  const sdk: unknown = runtimeRequire(packageName);
  const ctor =
    typeof sdk === 'object' && sdk !== null ? (sdk as Record<string, unknown>)[className] : undefined;
  if (typeof ctor !== 'function') throw new Error(`${packageName} has no ${className} client`);
  return new (ctor as ClientClass<T>)(region === undefined ? {} : { region });
}

export const runtimeSdk = {
  lambda: (region?: string) => loadClient<LambdaApi>('@aws-sdk/client-lambda', 'Lambda', region),
  codedeploy: (region?: string) =>
    loadClient<CodeDeployApi>('@aws-sdk/client-codedeploy', 'CodeDeploy', region),
  cloudwatch: (region?: string) =>
    loadClient<CloudWatchApi>('@aws-sdk/client-cloudwatch', 'CloudWatch', region),
};
