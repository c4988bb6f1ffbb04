import {
  DEPLOYABLE_STAGES,
  useStageTemplates,
  type CfnTemplate,
  type DeployableStage,
} from '../support/package-template';

/**
 * Zero-downtime releases in the packaged CloudFormation, for every deployable stage: a `Live`
 * alias per function, CodeDeploy application and deployment groups with the stage's traffic
 * shifting preference, the pre/post-traffic hooks, rollback alarms, and every event source (HTTP
 * API routes, the SQS event source mapping, the sweeper's schedule) pointing at the alias.
 */
const STAGES = DEPLOYABLE_STAGES;
type Stage = DeployableStage;

const PREFERENCE: Record<Stage, string> = {
  dev: 'AllAtOnce',
  uat: 'Linear10PercentEvery1Minute',
  cert: 'Canary10Percent5Minutes',
  prod: 'Canary10Percent10Minutes',
};
const SOAK: Record<Stage, string> = { dev: '0', uat: '60', cert: '60', prod: '120' };
/** Rollback alarm thresholds per stage (serverless.yml params releaseRollback*). */
const ROLLBACK: Record<Stage, { errorPoints: number; throttlePoints: number; minRequests: number }> = {
  dev: { errorPoints: 10, throttlePoints: 20, minRequests: 5 },
  uat: { errorPoints: 5, throttlePoints: 10, minRequests: 10 },
  cert: { errorPoints: 2, throttlePoints: 5, minRequests: 20 },
  prod: { errorPoints: 1, throttlePoints: 5, minRequests: 50 },
};
/** serverless.yml key -> CloudFormation logical id prefix. */
const SHIFTED = {
  submitPayment: 'SubmitPayment',
  getPayment: 'GetPayment',
  paymentStatusRequest: 'PaymentStatusRequest',
  settlePayment: 'SettlePayment',
  sweepDeadlines: 'SweepDeadlines',
} as const;

const template = useStageTemplates();

type Resource = CfnTemplate['Resources'][string] & { UpdatePolicy?: Record<string, unknown> };

function resource(stage: Stage, logicalId: string): Resource {
  const found = template(stage).Resources[logicalId];
  if (!found) throw new Error(`${stage}: ${logicalId} missing`);
  return found;
}

function ofType(stage: Stage, type: string): [string, Resource][] {
  return Object.entries(template(stage).Resources).filter(([, r]) => r.Type === type);
}

const aliasOf = (logical: string) => `${logical}LambdaFunctionAliasLive`;
const statementsOf = (role: Resource) =>
  (
    (role.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: { Action: string[]; Resource: unknown; Condition?: unknown }[] };
    }[]
  ).flatMap((p) => p.PolicyDocument.Statement);

describe.each(STAGES)('stage %s: blue/green releases', (stage) => {
  it.each(Object.entries(SHIFTED))('%s has a Live alias on its newly published version', (_key, logical) => {
    const alias = resource(stage, aliasOf(logical));
    expect(alias.Type).toBe('AWS::Lambda::Alias');
    expect(alias.Properties).toMatchObject({
      Name: 'Live',
      FunctionName: { Ref: `${logical}LambdaFunction` },
    });
    const [versionId] = (alias.Properties?.FunctionVersion as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ];
    expect(resource(stage, versionId)).toMatchObject({
      Type: 'AWS::Lambda::Version',
      Properties: { FunctionName: { Ref: `${logical}LambdaFunction` } },
    });
  });

  it('has one CodeDeploy application and a deployment group per function with the stage preference', () => {
    const [[appId, app] = ['', undefined as unknown as Resource]] = ofType(
      stage,
      'AWS::CodeDeploy::Application',
    );
    expect(ofType(stage, 'AWS::CodeDeploy::Application')).toHaveLength(1);
    expect(app.Properties).toEqual({ ComputePlatform: 'Lambda' });
    const groups = ofType(stage, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups.map(([id]) => id).sort()).toEqual(
      Object.values(SHIFTED)
        .map((l) => `${l}LambdaFunctionDeploymentGroup`)
        .sort(),
    );
    for (const [, group] of groups) {
      expect(group.Properties).toMatchObject({
        ApplicationName: { Ref: appId },
        DeploymentConfigName: {
          'Fn::Sub': ['CodeDeployDefault.Lambda${ConfigName}', { ConfigName: PREFERENCE[stage] }],
        },
        DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        ServiceRoleArn: { 'Fn::GetAtt': ['ReleaseCodeDeployRole', 'Arn'] },
      });
      const rollback = group.Properties?.AutoRollbackConfiguration as { Enabled: boolean; Events: string[] };
      expect(rollback.Enabled).toBe(true);
      expect(rollback.Events).toEqual(
        expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      );
    }
  });

  it.each(Object.entries(SHIFTED))(
    '%s shifts through its deployment group with both hooks wired',
    (_key, logical) => {
      expect(resource(stage, aliasOf(logical)).UpdatePolicy).toEqual({
        CodeDeployLambdaAliasUpdate: {
          ApplicationName: { Ref: ofType(stage, 'AWS::CodeDeploy::Application')[0]?.[0] },
          DeploymentGroupName: { Ref: `${logical}LambdaFunctionDeploymentGroup` },
          BeforeAllowTrafficHook: { Ref: 'PreTrafficHookLambdaFunction' },
          AfterAllowTrafficHook: { Ref: 'PostTrafficHookLambdaFunction' },
        },
      });
    },
  );

  it.each(Object.entries(SHIFTED))(
    '%s deployment group rolls back on its errors, throttles, SLA breaches and DLQ arrivals',
    (key, logical) => {
      const config = resource(stage, `${logical}LambdaFunctionDeploymentGroup`).Properties
        ?.AlarmConfiguration as { Enabled: boolean; Alarms: { Name: { Ref: string } }[] };
      expect(config.Enabled).toBe(true);
      const alarms = config.Alarms.map((a) => a.Name.Ref);
      expect(alarms).toEqual([
        `${logical}ReleaseErrorsAlarm`,
        `${logical}ReleaseThrottlesAlarm`,
        'ReleaseSlaBreachesAlarm',
        'ReleaseDlqArrivalsAlarm',
      ]);
    },
  );

  it.each(Object.entries(SHIFTED))(
    '%s rollback alarms compare the rates of the new version (ExecutedVersion) with the old one, per stage thresholds',
    (key, logical) => {
      const fnName = `rtp-pipeline-${stage}-${key}`;
      const alias = { Name: 'Resource', Value: `${fnName}:Live` };
      const fn = { Name: 'FunctionName', Value: fnName };
      const newVersion = {
        Name: 'ExecutedVersion',
        // The version this deploy publishes: the one CodeDeploy shifts the alias to.
        Value: resource(stage, aliasOf(logical)).Properties?.FunctionVersion,
      };
      expect(newVersion.Value).toEqual({
        'Fn::GetAtt': [expect.stringMatching(`^${logical}LambdaVersion`), 'Version'],
      });
      const limits = ROLLBACK[stage];
      for (const [kind, counted, points] of [
        ['Errors', 'Errors', limits.errorPoints],
        ['Throttles', 'Throttles', limits.throttlePoints],
      ] as const) {
        const props = resource(stage, `${logical}Release${kind}Alarm`).Properties ?? {};
        expect(props).toMatchObject({
          AlarmName: `rtp-pipeline-${stage}-release-${key}-${kind.toLowerCase()}`,
          Threshold: points,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          TreatMissingData: 'notBreaching',
        });
        // Metric math, not a single metric: nothing of the old one-error-per-minute alarm remains.
        for (const gone of ['MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Period'])
          expect(props).not.toHaveProperty(gone);
        const metrics = props.Metrics as {
          Id: string;
          ReturnData?: boolean;
          Expression?: string;
          MetricStat?: {
            Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] };
            Period: number;
            Stat: string;
          };
        }[];
        const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat;
        for (const [id, name, dimensions] of [
          ['newInvocations', 'Invocations', [fn, alias, newVersion]],
          [`new${counted}`, counted, [fn, alias, newVersion]],
          ['aliasInvocations', 'Invocations', [fn, alias]],
          [`alias${counted}`, counted, [fn, alias]],
        ] as const)
          expect(stat(id)).toEqual({
            Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: dimensions },
            Period: 60,
            Stat: 'Sum',
          });
        // One time series is judged: new-version rate minus old-version rate, in points, only in
        // minutes where the new version served enough requests.
        const returned = metrics.filter((m) => m.ReturnData !== false);
        expect(returned.map((m) => m.Id)).toEqual(['excess']);
        expect(returned[0]?.Expression).toBe(
          `IF(n >= ${limits.minRequests}, 100 * ${kind === 'Errors' ? 'e' : 't'} / IF(n > 0, n, 1) - 100 * ${kind === 'Errors' ? 'oe' : 'ot'} / IF(o > 0, o, 1), 0)`,
        );
        const expressions = Object.fromEntries(
          metrics.filter((m) => m.Expression).map((m) => [m.Id, m.Expression]),
        );
        expect(expressions).toMatchObject(
          kind === 'Errors'
            ? {
                n: 'FILL(newInvocations, 0)',
                e: 'FILL(newErrors, 0)',
                o: 'FILL(aliasInvocations, 0) - n',
                oe: 'FILL(aliasErrors, 0) - e',
              }
            : {
                n: 'FILL(newInvocations, 0) + FILL(newThrottles, 0)',
                t: 'FILL(newThrottles, 0)',
                o: 'FILL(aliasInvocations, 0) + FILL(aliasThrottles, 0) - n',
                ot: 'FILL(aliasThrottles, 0) - t',
              },
        );
      }
      // CloudFormation re-points the alarms at the new version before CodeDeploy shifts the alias.
      expect(resource(stage, aliasOf(logical)).DependsOn).toEqual(
        expect.arrayContaining([`${logical}ReleaseErrorsAlarm`, `${logical}ReleaseThrottlesAlarm`]),
      );
    },
  );

  it('announces every failed, stopped or rolled-back deployment on the ops topic, which lets CodeDeploy publish', () => {
    for (const [, group] of ofType(stage, 'AWS::CodeDeploy::DeploymentGroup'))
      expect(group.Properties?.TriggerConfigurations).toEqual([
        {
          TriggerName: 'ops-release-rollback',
          TriggerEvents: ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback'],
          TriggerTargetArn: { Ref: 'OpsTopic' },
        },
      ]);
    // CodeDeploy publishes with its service role: the role may publish to the topic (and use the
    // pipeline key through SNS only), the topic policy lets the role in, the key policy too.
    const statements = statementsOf(resource(stage, 'ReleaseCodeDeployRole'));
    expect(statements).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: ['sns:Publish'], Resource: [{ Ref: 'OpsTopic' }] },
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: [{ 'Fn::GetAtt': ['PipelineKey', 'Arn'] }],
          Condition: {
            StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' }] },
          },
        },
      ]),
    );
    const topicPolicy = resource(stage, 'OpsTopicPolicy').Properties?.PolicyDocument as {
      Statement: { Sid: string; Effect: string; Principal: unknown; Action: string; Resource: unknown }[];
    };
    expect(topicPolicy.Statement).toEqual(
      expect.arrayContaining([
        {
          Sid: 'ReleaseDeploymentTriggersPublish',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': ['ReleaseCodeDeployRole', 'Arn'] } },
          Action: 'sns:Publish',
          Resource: { Ref: 'OpsTopic' },
        },
      ]),
    );
    const keyPolicy = resource(stage, 'PipelineKey').Properties?.KeyPolicy as {
      Statement: { Sid: string; Action: string[]; Condition: Record<string, Record<string, unknown>> }[];
    };
    const keyStatement = keyPolicy.Statement.find(
      (s) => s.Sid === 'ReleaseCodeDeployRolePublishesToTheEncryptedOpsTopic',
    );
    expect(keyStatement?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(keyStatement?.Condition).toEqual({
      StringEquals: {
        'kms:CallerAccount': { Ref: 'AWS::AccountId' },
        'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' },
      },
      ArnLike: {
        'aws:PrincipalArn': {
          'Fn::Sub':
            'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-ReleaseCodeDeployRole-*',
        },
      },
    });
    // Still the project's own role: the plugin's (with AmazonSNSFullAccess once triggers are set) is not used.
    expect(template(stage).Resources.CodeDeployServiceRole).toBeUndefined();
  });

  it('has the stage-wide SLA-breach and DLQ-arrival rollback alarms on the pipeline metrics', () => {
    const pipeline = [
      { Name: 'service', Value: 'rtp-pipeline' },
      { Name: 'stage', Value: stage },
    ];
    expect(resource(stage, 'ReleaseSlaBreachesAlarm').Properties).toMatchObject({
      Namespace: 'RtpPipeline',
      MetricName: 'SlaBreaches',
      Dimensions: pipeline,
      Threshold: 1,
    });
    expect(resource(stage, 'ReleaseDlqArrivalsAlarm').Properties).toMatchObject({
      Namespace: 'RtpPipeline',
      MetricName: 'DlqArrivals',
      Dimensions: pipeline,
      Threshold: 1,
    });
    for (const [, alarm] of ofType(stage, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.includes('Release'),
    )) {
      expect(alarm.Properties?.AlarmName).toMatch(new RegExp(`^rtp-pipeline-${stage}-release-`));
    }
  });

  it('sends SQS traffic to the settle alias', () => {
    const mappings = ofType(stage, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] },
      FunctionName: { Ref: aliasOf('SettlePayment') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('sends every HTTP API route to its function alias, and only the alias may be invoked by API Gateway', () => {
    const integrations = ofType(stage, 'AWS::ApiGatewayV2::Integration');
    expect(integrations.map(([id]) => id).sort()).toEqual([
      'HttpApiIntegrationGetPayment',
      'HttpApiIntegrationPaymentStatusRequest',
      'HttpApiIntegrationSubmitPayment',
    ]);
    for (const [id, integration] of integrations) {
      const logical = id.replace('HttpApiIntegration', '');
      expect(JSON.stringify(integration.Properties?.IntegrationUri)).toContain(
        JSON.stringify({ Ref: aliasOf(logical) }),
      );
      expect(JSON.stringify(integration.Properties?.IntegrationUri)).not.toContain(
        `"${logical}LambdaFunction"`,
      );
    }
    const apiPermissions = ofType(stage, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties?.Principal === 'apigateway.amazonaws.com',
    );
    expect(apiPermissions).toHaveLength(3);
    for (const [id, permission] of apiPermissions) {
      expect(permission.Properties?.FunctionName).toEqual({
        Ref: aliasOf(id.replace('LambdaPermissionHttpApi', '')),
      });
    }
  });

  it('schedules the sweeper on its alias', () => {
    const rules = ofType(stage, 'AWS::Events::Rule');
    expect(rules.flatMap(([, r]) => (r.Properties?.Targets as { Arn: unknown }[]).map((t) => t.Arn))).toEqual(
      [{ Ref: aliasOf('SweepDeadlines') }],
    );
    const schedulePermission = ofType(stage, 'AWS::Lambda::Permission').find(
      ([, p]) => p.Properties?.Principal === 'events.amazonaws.com',
    );
    expect(schedulePermission?.[1].Properties?.FunctionName).toEqual({ Ref: aliasOf('SweepDeadlines') });
  });

  it('deploys the two hooks as plain functions (no alias of their own), configured for the stage', () => {
    const pre = resource(stage, 'PreTrafficHookLambdaFunction').Properties ?? {};
    const post = resource(stage, 'PostTrafficHookLambdaFunction').Properties ?? {};
    expect(pre).toMatchObject({
      FunctionName: `rtp-pipeline-${stage}-preTrafficHook`,
      Role: { 'Fn::GetAtt': ['PreTrafficHookRole', 'Arn'] },
      Timeout: 300,
    });
    expect(post).toMatchObject({
      FunctionName: `rtp-pipeline-${stage}-postTrafficHook`,
      Role: { 'Fn::GetAtt': ['PostTrafficHookRole', 'Arn'] },
      Timeout: 300,
    });
    expect((pre.Environment as { Variables: Record<string, string> }).Variables.RELEASE_FUNCTION_PREFIX).toBe(
      `rtp-pipeline-${stage}-`,
    );
    expect((post.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
      RELEASE_FUNCTION_PREFIX: `rtp-pipeline-${stage}-`,
      RELEASE_SOAK_SECONDS: SOAK[stage],
    });
    expect(ofType(stage, 'AWS::Lambda::Alias').map(([id]) => id)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/TrafficHook/)]),
    );
  });

  it('gives CodeDeploy its own least-privilege role, not the plugin default with AWSLambda_FullAccess', () => {
    expect(template(stage).Resources.CodeDeployServiceRole).toBeUndefined();
    const role = resource(stage, 'ReleaseCodeDeployRole');
    expect(role.Properties?.ManagedPolicyArns ?? []).toEqual([]);
    const statements = statementsOf(role);
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      [
        'cloudwatch:DescribeAlarms',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'lambda:GetAlias',
        'lambda:GetProvisionedConcurrencyConfig',
        'lambda:InvokeFunction',
        'lambda:UpdateAlias',
        'sns:Publish',
      ].sort(),
    );
    const invoke = statements.find((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke?.Resource)).toMatch(/preTrafficHook.*postTrafficHook/);
    // Named resources only: the five functions and their Live aliases, the two hooks, the twelve
    // alarms, the ops topic and the pipeline key (through SNS).
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toContain('*');
    const alarms = statements.find((s) => s.Action.includes('cloudwatch:DescribeAlarms'))?.Resource as {
      'Fn::GetAtt': [string, string];
    }[];
    expect(alarms.map((a) => a['Fn::GetAtt'][0]).sort()).toEqual(
      ofType(stage, 'AWS::CloudWatch::Alarm')
        .map(([id]) => id)
        .filter((id) => id.includes('Release'))
        .sort(),
    );
  });

  it('scopes the hooks to their own deployment groups, and "*" only where AWS allows nothing narrower', () => {
    const app = ofType(stage, 'AWS::CodeDeploy::Application')[0]?.[0] ?? '';
    for (const roleId of ['PreTrafficHookRole', 'PostTrafficHookRole']) {
      const statements = statementsOf(resource(stage, roleId));
      const codedeploy = statements.find((s) =>
        s.Action.includes('codedeploy:PutLifecycleEventHookExecutionStatus'),
      );
      expect(codedeploy?.Resource).toEqual(
        // The stage's CodeDeploy application, handed in as `App` (param hookCodeDeployApplication).
        Object.values(SHIFTED).map((logical) => ({
          'Fn::Sub': [
            `arn:\${AWS::Partition}:codedeploy:\${AWS::Region}:\${AWS::AccountId}:deploymentgroup:\${App}/rtp-pipeline-${stage}-${logical}LambdaFunctionDeploymentGroup`,
            { App: { Ref: app } },
          ],
        })),
      );
      for (const statement of statements.filter((s) => s.Resource === '*')) {
        // X-Ray and CloudWatch GetMetricData have no resource-level permissions.
        const granted = `${roleId}:${[...statement.Action].sort().join(',')}`;
        expect(granted).toMatch(
          /^(Pre|Post)TrafficHookRole:xray:PutTelemetryRecords,xray:PutTraceSegments$|^PostTrafficHookRole:cloudwatch:GetMetricData$/,
        );
      }
    }
  });

  it("encrypts the hooks' log groups and lets the pre-traffic hook use the pipeline key through DynamoDB only", () => {
    for (const id of ['PreTrafficHookLogGroup', 'PostTrafficHookLogGroup']) {
      expect(resource(stage, id).Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': ['PipelineKey', 'Arn'] });
    }
    const kms = statementsOf(resource(stage, 'PreTrafficHookRole')).filter((s) =>
      s.Action.some((a) => a.startsWith('kms:')),
    );
    expect(kms).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: [{ 'Fn::GetAtt': ['PipelineKey', 'Arn'] }],
        Condition: {
          StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'dynamodb.${AWS::Region}.amazonaws.com' }] },
        },
      },
    ]);
    expect(JSON.stringify(statementsOf(resource(stage, 'PostTrafficHookRole')))).not.toContain('kms:');
  });

  it('lets the pre-traffic hook invoke the five functions, report to CodeDeploy, and write only probe keys', () => {
    const statements = statementsOf(resource(stage, 'PreTrafficHookRole'));
    const invoke = statements.find((s) => s.Action.includes('lambda:InvokeFunction'));
    for (const key of Object.keys(SHIFTED))
      expect(JSON.stringify(invoke?.Resource)).toContain(`rtp-pipeline-${stage}-${key}:*`);
    expect(statements.flatMap((s) => s.Action)).toEqual(
      expect.arrayContaining([
        'codedeploy:PutLifecycleEventHookExecutionStatus',
        'codedeploy:GetDeploymentTarget',
      ]),
    );
    const leadingKeys = (table: string) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(table))
        .map(
          (s) =>
            (s.Condition as { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': string[] } })[
              'ForAllValues:StringLike'
            ]['dynamodb:LeadingKeys'],
        );
    expect(leadingKeys('PartnersTable')).toEqual([['PARTNER#release-probe', 'KEY#release-probe-*']]);
    expect(leadingKeys('LedgerTable')).toEqual([['ACCT#PROBE:*']]);
    expect(
      statements
        .filter((s) => JSON.stringify(s.Resource).includes('Table'))
        .every((s) => s.Condition !== undefined),
    ).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('sqs:');
  });

  it("limits the pre-traffic hook's DynamoDB access to probe keys, with the LeadingKeys condition on every table statement", () => {
    const statements = statementsOf(resource(stage, 'PreTrafficHookRole'));
    const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    const byTable = (table: string) => dynamo.filter((s) => JSON.stringify(s.Resource).includes(table));
    // The ledger: probe accounts (PROBE:<name> and PROBE:equity) only, and only the calls the
    // funding transfers and probe reads make (TransactWriteItems is authorised per item as
    // UpdateItem / PutItem, each item's key checked against the condition).
    expect(byTable('LedgerTable')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCT#PROBE:*'] } },
      },
    ]);
    // The partners table: the probe partner's profile and its per-run keys, written only.
    expect(byTable('PartnersTable')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem'],
        Resource: [{ 'Fn::GetAtt': ['PartnersTable', 'Arn'] }],
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['PARTNER#release-probe', 'KEY#release-probe-*'],
          },
        },
      },
    ]);
    // Payments: payment ids are UUIDs (PAY#* cannot be narrowed); the EndToEndId keys are the probe's.
    expect(byTable('PaymentsTable')).toEqual([
      expect.objectContaining({
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PAY#*', 'E2E#release-probe#*'] },
        },
      }),
    ]);
    // Nothing that reads or writes without naming a partition key (Scan, batch calls, PartiQL).
    const actions = dynamo.flatMap((s) => s.Action);
    for (const action of actions) expect(action).toMatch(/^dynamodb:(GetItem|PutItem|UpdateItem|Query)$/);
    // Every DynamoDB statement is conditioned, and on LeadingKeys.
    for (const statement of dynamo)
      expect(
        Object.keys(
          (statement.Condition as Record<string, Record<string, unknown>>)['ForAllValues:StringLike'] ?? {},
        ),
      ).toEqual(['dynamodb:LeadingKeys']);
  });
});
