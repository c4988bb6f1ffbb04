import {
  DEPLOYABLE_STAGES,
  resourcesOfType,
  useStageTemplates,
  type CfnTemplate,
  type DeployableStage,
} from '../support/package-template';

/**
 * The operations resources of every deployable stage (infra/observability.yml), from the
 * CloudFormation `sls package` produces offline: each alarm watches the right metric with the
 * right statistic and the stage's threshold (serverless.yml params) and notifies the ops topic;
 * the ops topic is subscribed only when the stage names an endpoint; the dashboard shows the
 * payment flow with the SLO / SLA lines and names the stage's real resources.
 */
const STAGES = DEPLOYABLE_STAGES;
type Stage = DeployableStage;
const template = useStageTemplates();

function resource(t: CfnTemplate, id: string) {
  const r = t.Resources[id];
  if (!r) throw new Error(`${id} missing`);
  return r;
}

/** The per-stage thresholds of serverless.yml params, as the runbook documents them. */
const THRESHOLDS: Record<Stage, Record<string, number>> = {
  dev: {
    dlq: 0,
    queueAge: 30,
    sla: 0,
    p99: 10_000,
    errors: 5,
    throttles: 5,
    api5xx: 10,
    ddb: 10,
    signatures: 100,
    account: 800,
    settle: 4,
    reserved: 5,
    shed: 300,
  },
  uat: {
    dlq: 0,
    queueAge: 10,
    sla: 0,
    p99: 10_000,
    errors: 1,
    throttles: 0,
    api5xx: 5,
    ddb: 0,
    signatures: 50,
    account: 800,
    settle: 8,
    reserved: 10,
    shed: 60,
  },
  cert: {
    dlq: 0,
    queueAge: 5,
    sla: 0,
    p99: 10_000,
    errors: 0,
    throttles: 0,
    api5xx: 1,
    ddb: 0,
    signatures: 20,
    account: 800,
    settle: 16,
    reserved: 20,
    shed: 60,
  },
  prod: {
    dlq: 0,
    queueAge: 5,
    sla: 0,
    p99: 10_000,
    errors: 0,
    throttles: 0,
    api5xx: 1,
    ddb: 0,
    signatures: 20,
    account: 800,
    settle: 40,
    reserved: 50,
    shed: 60,
  },
};

const FUNCTIONS = ['SubmitPayment', 'SettlePayment', 'GetPayment', 'PaymentStatusRequest', 'SweepDeadlines'];
const serviceDimensions = (stage: string) => [
  { Name: 'service', Value: 'rtp-pipeline' },
  { Name: 'stage', Value: stage },
];

describe.each(STAGES)('stage %s operations', (stage) => {
  const limits = THRESHOLDS[stage];
  const alarm = (id: string) => {
    const r = resource(template(stage), id);
    expect(r.Type).toBe('AWS::CloudWatch::Alarm');
    return r.Properties ?? {};
  };

  it.each([
    [
      'DlqNotEmptyAlarm',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'Maximum',
      'dlq',
      'GreaterThanThreshold',
    ],
    [
      'QueueAgeAlarm',
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      'Maximum',
      'queueAge',
      'GreaterThanThreshold',
    ],
    ['SlaBreachesAlarm', 'RtpPipeline', 'SlaBreaches', 'Sum', 'sla', 'GreaterThanThreshold'],
    ['PaymentsShedAlarm', 'RtpPipeline', 'PaymentsShedAtIntake', 'Sum', 'shed', 'GreaterThanThreshold'],
    ['LatencyP99Alarm', 'RtpPipeline', 'EndToEndLatency', 'p99', 'p99', 'GreaterThanThreshold'],
    [
      'SignatureFailuresAlarm',
      'RtpPipeline',
      'SignatureFailures',
      'Sum',
      'signatures',
      'GreaterThanThreshold',
    ],
    [
      'AccountConcurrencyAlarm',
      'AWS/Lambda',
      'ConcurrentExecutions',
      'Maximum',
      'account',
      'GreaterThanThreshold',
    ],
    [
      'SettleConcurrencyAlarm',
      'AWS/Lambda',
      'ConcurrentExecutions',
      'Maximum',
      'settle',
      'GreaterThanOrEqualToThreshold',
    ],
  ])(
    '%s watches %s %s (%s) above the stage threshold and notifies the ops topic',
    (id, namespace, metric, statistic, key, operator) => {
      const p = alarm(id);
      expect(p).toMatchObject({
        AlarmName: expect.stringMatching(new RegExp(`^rtp-pipeline-${stage}-`)),
        Namespace: namespace,
        MetricName: metric,
        ComparisonOperator: operator,
        AlarmActions: [{ Ref: 'OpsTopic' }],
        OKActions: [{ Ref: 'OpsTopic' }],
      });
      expect(statistic.startsWith('p') ? p.ExtendedStatistic : p.Statistic).toBe(statistic);
      expect(Number(p.Threshold)).toBe(limits[key]);
      expect(Number(p.EvaluationPeriods)).toBeGreaterThanOrEqual(Number(p.DatapointsToAlarm));
    },
  );

  it('selects its own stage: custom metrics by service and stage, AWS metrics by the stage resources', () => {
    for (const id of ['SlaBreachesAlarm', 'LatencyP99Alarm', 'SignatureFailuresAlarm'])
      expect(alarm(id).Dimensions).toEqual(serviceDimensions(stage));
    expect(alarm('DlqNotEmptyAlarm').Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'QueueName'] } },
    ]);
    expect(alarm('QueueAgeAlarm').Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['PaymentsQueue', 'QueueName'] } },
    ]);
    expect(alarm('SettleConcurrencyAlarm').Dimensions).toEqual([
      { Name: 'FunctionName', Value: { Ref: 'SettlePaymentLambdaFunction' } },
    ]);
    expect(alarm('AccountConcurrencyAlarm').Dimensions).toBeUndefined();
  });

  it.each(FUNCTIONS)('%s has an Errors and a Throttles alarm with the stage thresholds', (fn) => {
    for (const [kind, key] of [
      ['Errors', 'errors'],
      ['Throttles', 'throttles'],
    ] as const) {
      expect(alarm(`${fn}${kind}Alarm`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: kind,
        Statistic: 'Sum',
        Period: 60,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'OpsTopic' }],
      });
      expect(Number(alarm(`${fn}${kind}Alarm`).Threshold)).toBe(limits[key]);
    }
  });

  it('alarms when the deadline sweeper stops running (missing data counts)', () => {
    expect(alarm('SweeperNotRunningAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SweepDeadlinesLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: 'OpsTopic' }],
    });
  });

  it('computes the API 5xx rate from the HTTP API 5xx and Count metrics', () => {
    const p = alarm('ApiServerErrorRateAlarm');
    const metrics = p.Metrics as {
      Id: string;
      Expression?: string;
      ReturnData?: boolean;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Stat: string };
    }[];
    const byId = Object.fromEntries(metrics.map((m) => [m.Id, m]));
    expect(byId.errors?.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      },
      Stat: 'Sum',
    });
    expect(byId.requests?.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count' },
      Stat: 'Sum',
    });
    // Admission control's 503s are shedding by design (PaymentsShedAlarm), not server errors.
    expect(byId.shed?.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'RtpPipeline',
        MetricName: 'PaymentsShedAtIntake',
        Dimensions: [...serviceDimensions(stage), { Name: 'reason', Value: 'overloaded' }],
      },
      Stat: 'Sum',
    });
    expect(byId.rate).toMatchObject({
      Expression: 'IF(requests > 0, 100 * (errors - FILL(shed, 0)) / requests, 0)',
      ReturnData: true,
    });
    expect(metrics.filter((m) => m.ReturnData !== false)).toHaveLength(1);
    expect(Number(p.Threshold)).toBe(limits.api5xx);
    expect(p.AlarmActions).toEqual([{ Ref: 'OpsTopic' }]);
  });

  it('sums read and write throttling of every table the pipeline writes', () => {
    const p = alarm('DynamoDbThrottlesAlarm');
    const metrics = p.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: { Ref: string } }[] } };
    }[];
    const watched = metrics
      .filter((m) => m.MetricStat)
      .map((m) => `${m.MetricStat?.Metric.Dimensions[0]?.Value.Ref}:${m.MetricStat?.Metric.MetricName}`);
    expect(watched.sort()).toEqual(
      [
        'IdempotencyTable:ReadThrottleEvents',
        'IdempotencyTable:WriteThrottleEvents',
        'LedgerTable:ReadThrottleEvents',
        'LedgerTable:WriteThrottleEvents',
        'NoncesTable:WriteThrottleEvents',
        'PartnersTable:ReadThrottleEvents',
        'PaymentsTable:ReadThrottleEvents',
        'PaymentsTable:WriteThrottleEvents',
      ].sort(),
    );
    const expression = metrics.find((m) => m.Expression)?.Expression ?? '';
    for (const m of metrics.filter((x) => x.MetricStat)) expect(expression).toContain(`FILL(${m.Id}, 0)`);
    expect(metrics.length).toBeLessThanOrEqual(10); // CloudWatch's limit for a metric math alarm
    expect(Number(p.Threshold)).toBe(limits.ddb);
  });

  it('every operations alarm notifies the ops topic and carries a runbook reference', () => {
    const ids = [
      'DlqNotEmptyAlarm',
      'QueueAgeAlarm',
      'SlaBreachesAlarm',
      'PaymentsShedAlarm',
      'LatencyP99Alarm',
      'SignatureFailuresAlarm',
      'ApiServerErrorRateAlarm',
      'DynamoDbThrottlesAlarm',
      'SweeperNotRunningAlarm',
      'AccountConcurrencyAlarm',
      'SettleConcurrencyAlarm',
      ...FUNCTIONS.flatMap((fn) => [`${fn}ErrorsAlarm`, `${fn}ThrottlesAlarm`]),
    ];
    const alarms = resourcesOfType(template(stage), 'AWS::CloudWatch::Alarm').filter(([id]) =>
      ids.includes(id),
    );
    expect(alarms.map(([id]) => id).sort()).toEqual([...ids].sort());
    for (const [id, a] of alarms) {
      expect({ id, actions: a.Properties?.AlarmActions, ok: a.Properties?.OKActions }).toEqual({
        id,
        actions: [{ Ref: 'OpsTopic' }],
        ok: [{ Ref: 'OpsTopic' }],
      });
      expect(String(a.Properties?.AlarmDescription)).toMatch(/runbook: \w+Alarm/);
      expect(String(a.Properties?.AlarmName)).toMatch(new RegExp(`^rtp-pipeline-${stage}-[a-zA-Z0-9-]+$`));
    }
  });

  it('has an encrypted ops topic that only this stage alarms publish to, over TLS, subscribed only when an endpoint is set', () => {
    const t = template(stage);
    expect(resource(t, 'OpsTopic').Properties).toMatchObject({
      TopicName: `rtp-pipeline-${stage}-ops`,
      KmsMasterKeyId: { Ref: 'PipelineKey' },
    });
    const policy = JSON.stringify(resource(t, 'OpsTopicPolicy').Properties);
    expect(policy).toContain('cloudwatch.amazonaws.com');
    expect(policy).toContain(`alarm:rtp-pipeline-${stage}-*`);
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(resource(t, 'OpsTopicSubscription')).toMatchObject({
      Condition: 'HasOpsAlertEndpoint',
      Properties: { TopicArn: { Ref: 'OpsTopic' }, Protocol: 'email' },
    });
    // No stage sets an endpoint in the repository: it is given at deploy time (--param).
    expect(t.Conditions?.HasOpsAlertEndpoint).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('has a dashboard of the payment flow naming the stage resources, with the SLO and SLA lines', () => {
    const p = resource(template(stage), 'PipelineDashboard').Properties ?? {};
    expect(p.DashboardName).toBe(`rtp-pipeline-${stage}`);
    const source = (p.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
    // Every ${...} Fn::Sub reference names a real resource (or a pseudo parameter).
    const refs = [...source.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const id = ref.split('.')[0] ?? '';
      expect(ref.startsWith('AWS::') || id in template(stage).Resources).toBe(true);
    }
    const body = JSON.parse(source.replace(/\$\{([^}]+)\}/g, 'REF:$1')) as {
      widgets: {
        type: string;
        properties: {
          title?: string;
          metrics?: unknown[][];
          annotations?: { horizontal: { label: string; value: number }[] };
          alarms?: string[];
          query?: string;
        };
      }[];
    };
    const titles = body.widgets.map((w) => w.properties.title ?? '');
    const metricsOf = (title: RegExp) =>
      JSON.stringify(body.widgets.find((w) => title.test(w.properties.title ?? ''))?.properties.metrics);
    expect(metricsOf(/accepted, settled, rejected/)).toMatch(
      /PaymentsAccepted.*PaymentsSettled.*PaymentsRejected/,
    );
    expect(metricsOf(/accepted, settled, rejected/)).toContain(`"stage","${stage}"`);
    const latency = body.widgets.find((w) => /latency/i.test(w.properties.title ?? ''));
    expect(JSON.stringify(latency?.properties.metrics)).toMatch(
      /EndToEndLatency.*"stat":"p50".*"stat":"p99"/,
    );
    expect(latency?.properties.annotations?.horizontal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ label: 'SLO p99', value: 10_000 }),
        expect.objectContaining({ label: 'SLA', value: 15_000 }),
      ]),
    );
    expect(metricsOf(/queue: depth and age/)).toMatch(
      /ApproximateNumberOfMessagesVisible.*REF:PaymentsQueue.QueueName.*ApproximateAgeOfOldestMessage/,
    );
    expect(metricsOf(/Dead-letter/)).toContain('REF:PaymentsDeadLetterQueue.QueueName');
    expect(metricsOf(/errors and throttles/)).toContain('REF:SettlePaymentLambdaFunction');
    expect(titles.length).toBeGreaterThanOrEqual(8);
    const alarmsWidget = body.widgets.find((w) => w.type === 'alarm');
    expect(alarmsWidget?.properties.alarms).toEqual(
      expect.arrayContaining([
        'REF:DlqNotEmptyAlarm.Arn',
        'REF:SlaBreachesAlarm.Arn',
        'REF:LatencyP99Alarm.Arn',
      ]),
    );
  });

  it('keeps the SSM runtime settings parameter with the stage default log level, readable by every function role', () => {
    const t = template(stage);
    expect(resource(t, 'OpsParameter').Properties).toEqual(
      expect.objectContaining({
        Name: `/rtp-pipeline/${stage}/observability`,
        Type: 'String',
        Value: JSON.stringify({ logLevel: stage === 'dev' ? 'DEBUG' : 'INFO' }),
      }),
    );
    for (const fn of FUNCTIONS) {
      const env = (
        resource(t, `${fn}LambdaFunction`).Properties?.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(env).toMatchObject({
        RTP_OPS_PARAMETER: `/rtp-pipeline/${stage}/observability`,
        RTP_OPS_PARAMETER_MAX_AGE_SECONDS: '60',
        STAGE: stage,
        POWERTOOLS_METRICS_NAMESPACE: 'RtpPipeline',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
      const role = JSON.stringify(resource(t, `${fn}Role`).Properties?.Policies);
      expect(role).toContain(
        `"Action":["ssm:GetParameter"],"Resource":[{"Fn::Sub":"arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/rtp-pipeline/${stage}/observability"}]`,
      );
    }
  });

  it('keeps log retention per stage', () => {
    const days = { dev: 7, uat: 14, cert: 30, prod: 365 }[stage];
    for (const fn of FUNCTIONS)
      expect(resource(template(stage), `${fn}LogGroup`).Properties).toMatchObject({ RetentionInDays: days });
  });
});
