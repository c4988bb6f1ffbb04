import { formatProblems, specResource, validateTemplate } from '../support/cfn-spec';
import {
  type CfnTemplate,
  DEPLOYABLE_STAGES,
  packageStage,
  useStageTemplates,
} from '../support/package-template';

/**
 * Every stage's packaged template (`sls package`, offline) against the official CloudFormation
 * resource specification (@aws-cdk/aws-service-spec): resource types, properties down into their
 * property types, required properties, literal value types, and every Ref / Fn::GetAtt /
 * Fn::Sub reference. Serverless-generated resources included.
 */
const template = useStageTemplates();

describe.each(DEPLOYABLE_STAGES)(
  'stage %s template against the CloudFormation resource specification',
  (stage) => {
    it('has only known resource types, known and required properties, and references that resolve', () => {
      const problems = validateTemplate(template(stage));
      expect(formatProblems(problems)).toBe('');
    });

    it('includes the resources Serverless and the canary plugin generate', () => {
      const types = new Set(Object.values(template(stage).Resources).map((r) => r.Type));
      for (const type of [
        'AWS::Lambda::Function',
        'AWS::Lambda::Version',
        'AWS::Lambda::Alias',
        'AWS::CodeDeploy::DeploymentGroup',
        'AWS::ApiGatewayV2::Api',
        'AWS::Lambda::EventSourceMapping',
        'AWS::S3::Bucket',
      ])
        expect(types).toContain(type);
      for (const type of types) expect(specResource(type)).toBeDefined();
    });
  },
);

describe('the local stage template', () => {
  // Never deployed, but the local stack provisions from it: it must be a valid template too (its
  // hook roles once named a CodeDeploy application only the blue/green stages have).
  it('is valid against the specification', async () => {
    const { template: local } = await packageStage('local');
    expect(formatProblems(validateTemplate(local))).toBe('');
  }, 120_000);
});

describe('the specification validator', () => {
  const base = (): CfnTemplate => JSON.parse(JSON.stringify(template('dev'))) as CfnTemplate;
  const messages = (t: CfnTemplate) => validateTemplate(t).map((p) => `${p.path}: ${p.message}`);

  it('reports unknown types, unknown and missing properties, wrong literal types', () => {
    const t = base();
    const queue = t.Resources.PaymentsQueue?.Properties as Record<string, unknown>;
    queue.VisibilityTimeOut = 30;
    queue.MessageRetentionPeriod = 'four days';
    const table = t.Resources.PaymentsTable?.Properties as Record<string, unknown>;
    delete table.KeySchema;
    (table.SSESpecification as Record<string, unknown>).Enabled = true;
    t.Resources.Unknown = { Type: 'AWS::SQS::Queues', Properties: {} };
    expect(messages(t)).toEqual(
      expect.arrayContaining([
        'Resources.PaymentsQueue.Properties.VisibilityTimeOut: AWS::SQS::Queue has no property VisibilityTimeOut',
        'Resources.PaymentsQueue.Properties.MessageRetentionPeriod: expected a number, got "four days"',
        'Resources.PaymentsTable.Properties: AWS::DynamoDB::Table requires KeySchema',
        'Resources.PaymentsTable.Properties.SSESpecification.Enabled: SSESpecification has no property Enabled',
        'Resources.Unknown: unknown resource type AWS::SQS::Queues',
      ]),
    );
  });

  it('reports Refs, GetAtts and Sub variables that name nothing, and attributes a type does not have', () => {
    const t = base();
    t.Resources.Probe = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: { 'Fn::GetAtt': ['PaymentsQueue', 'Url'] },
        DisplayName: { Ref: 'PaymentQueue' },
        KmsMasterKeyId: { 'Fn::Sub': '${PipelineKey.KeyId}-${Missing.Arn}-${AWS::Region}-${!Literal}' },
      },
      DependsOn: ['PaymentsTable', 'LedgerTables'],
    };
    expect(messages(t)).toEqual([
      'Resources.Probe.DependsOn: DependsOn "LedgerTables" names no resource of the template',
      'Resources.Probe.Properties.TopicName: Fn::GetAtt PaymentsQueue.Url: AWS::SQS::Queue has no attribute Url (it has: Arn, QueueName, QueueUrl)',
      'Resources.Probe.Properties.DisplayName: Ref PaymentQueue names no resource, parameter or pseudo parameter',
      'Resources.Probe.Properties.KmsMasterKeyId ${Missing.Arn}: Fn::Sub names resource Missing, which the template does not have',
    ]);
  });

  it('reports resources that depend on each other in a circle', () => {
    const t = base();
    // The pipeline key naming the CodeDeploy role by ARN: key -> role -> ops topic -> key.
    const key = t.Resources.PipelineKey?.Properties as { KeyPolicy: { Statement: unknown[] } };
    key.KeyPolicy.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': ['ReleaseCodeDeployRole', 'Arn'] } },
      Action: ['kms:Decrypt'],
      Resource: '*',
    });
    expect(messages(t).filter((m) => m.includes('circular'))).toEqual([
      expect.stringMatching(/circular dependency among .*PipelineKey/),
    ]);
    const cycle = messages(t).find((m) => m.includes('circular')) ?? '';
    for (const id of ['PipelineKey', 'ReleaseCodeDeployRole', 'OpsTopic']) expect(cycle).toContain(id);
  });

  it("reports metric math alarms that break PutMetricAlarm's rules", () => {
    const t = base();
    const props = t.Resources.SettlePaymentReleaseErrorsAlarm?.Properties as {
      Metrics: { Id: string; ReturnData?: boolean; Expression?: string }[];
      MetricName?: string;
    };
    const n = props.Metrics.find((m) => m.Id === 'n');
    if (n) {
      delete n.ReturnData; // defaults to true: two series returned
      n.Expression = 'FILL(newInvocation, 0)';
    }
    props.MetricName = 'Errors';
    expect(messages(t)).toEqual([
      'Resources.SettlePaymentReleaseErrorsAlarm.Properties.MetricName: MetricName cannot be used with Metrics',
      'Resources.SettlePaymentReleaseErrorsAlarm.Properties.Metrics: exactly one query must return data (ReturnData defaults to true), not n, excess',
      'Resources.SettlePaymentReleaseErrorsAlarm.Properties.Metrics[4].Expression: newInvocation is no query id of the alarm',
    ]);
  });
});
