import {
  DEPLOYABLE_STAGES,
  propertiesOf,
  resourcesOfType,
  useStageTemplates,
} from '../support/package-template';

/**
 * `sls package` for every deployable stage, offline, and assertions on the CloudFormation it
 * produces: the FIFO queue and its DLQ wiring, the tables, the settle event source mapping,
 * and least-privilege per-function roles.
 */
const STAGES = DEPLOYABLE_STAGES;
const template = useStageTemplates();

const props = propertiesOf;

describe.each(STAGES)('stage %s template', (stage) => {
  it('declares the FIFO payments queue with a FIFO dead-letter queue', () => {
    const t = template(stage);
    const queue = props(t, 'PaymentsQueue');
    expect(queue).toMatchObject({
      QueueName: `rtp-pipeline-${stage}-payments.fifo`,
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(props(t, 'PaymentsDeadLetterQueue')).toMatchObject({
      FifoQueue: true,
      QueueName: `rtp-pipeline-${stage}-payments-dlq.fifo`,
    });
  });

  it('keeps the queue visibility timeout at least 6x the settle function timeout', () => {
    const t = template(stage);
    const timeout = Number(props(t, 'SettlePaymentLambdaFunction').Timeout);
    expect(Number(props(t, 'PaymentsQueue').VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('maps the queue to settle with ReportBatchItemFailures', () => {
    const [mapping] = resourcesOfType(template(stage), 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.[1].Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('caps the settle event source mapping at the reserved concurrency (ScalingConfig.MaximumConcurrency)', () => {
    const t = template(stage);
    const [mapping] = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping');
    const reserved = Number(props(t, 'SettlePaymentLambdaFunction').ReservedConcurrentExecutions);
    expect(mapping?.[1].Properties?.ScalingConfig).toEqual({ MaximumConcurrency: expect.any(Number) });
    const maximum = Number(
      (mapping?.[1].Properties?.ScalingConfig as { MaximumConcurrency?: unknown } | undefined)
        ?.MaximumConcurrency,
    );
    expect(maximum).toBeGreaterThanOrEqual(2); // the API's minimum
    expect(maximum).toBeLessThanOrEqual(reserved);
    expect(maximum).toBe(reserved); // no lower either: reserved capacity is there for settlement
  });

  it('declares the tables, with TTL on idempotency and nonce records', () => {
    const t = template(stage);
    for (const id of ['PaymentsTable', 'LedgerTable', 'IdempotencyTable', 'PartnersTable', 'NoncesTable']) {
      expect(props(t, id)).toMatchObject({ BillingMode: 'PAY_PER_REQUEST' });
    }
    expect(props(t, 'IdempotencyTable').TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
    expect(props(t, 'NoncesTable').TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it('runs every function on nodejs22.x arm64 with its own role', () => {
    const functions = resourcesOfType(template(stage), 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'GetPaymentLambdaFunction',
      'PaymentStatusRequestLambdaFunction',
      'PostTrafficHookLambdaFunction',
      'PreTrafficHookLambdaFunction',
      'SettlePaymentLambdaFunction',
      'SubmitPaymentLambdaFunction',
      'SweepDeadlinesLambdaFunction',
    ]);
    const roles = new Set<string>();
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      roles.add(JSON.stringify(fn.Properties?.Role));
    }
    expect(roles.size).toBe(functions.length);
  });

  it('grants only named actions on named resources (no wildcard action, "*" only for X-Ray and GetMetricData)', () => {
    for (const [id, role] of resourcesOfType(template(stage), 'AWS::IAM::Role')) {
      expect(role.Properties?.ManagedPolicyArns ?? []).toEqual([]);
      const policies = (role.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string[] | string; Resource: unknown }[] };
      }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const actions = ([] as string[]).concat(statement.Action);
        for (const action of actions) expect(`${id}:${action}`).not.toMatch(/\*/);
        const resources = ([] as unknown[]).concat(statement.Resource);
        if (resources.includes('*')) {
          // Neither X-Ray nor CloudWatch GetMetricData (the post-traffic hook) has resource-level permissions.
          expect(`${id}:${actions.sort().join(',')}`).toMatch(
            /^\w+:xray:PutTelemetryRecords,xray:PutTraceSegments$|^PostTrafficHookRole:cloudwatch:GetMetricData$/,
          );
        }
      }
    }
  });

  it('does not let submit touch the ledger, and lets settle send to the DLQ only', () => {
    const t = template(stage);
    const statements = (roleId: string) => JSON.stringify((props(t, roleId).Policies as unknown[]) ?? []);
    expect(statements('SubmitPaymentRole')).not.toContain('LedgerTable');
    expect(statements('SubmitPaymentRole')).not.toContain('TransactWriteItems');
    // Settle sends a poison message to the dead-letter queue itself: SendMessage on the DLQ, one
    // statement of its own, never on the payments queue.
    const settleStatements = (
      (props(t, 'SettlePaymentRole').Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string[] | string; Resource: unknown }[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const sending = settleStatements.filter((st) =>
      ([] as string[]).concat(st.Action).some((action) => action.startsWith('sqs:Send')),
    );
    expect(sending).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [{ 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'Arn'] }],
      },
    ]);
    const settleEnv = (
      props(t, 'SettlePaymentLambdaFunction').Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(settleEnv.PAYMENTS_DLQ_URL).toEqual({ Ref: 'PaymentsDeadLetterQueue' });
    // No other function is told where the DLQ is.
    for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
      if (id === 'SettlePaymentLambdaFunction') continue;
      const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      expect({ id, dlq: env?.PAYMENTS_DLQ_URL }).toEqual({ id, dlq: undefined });
    }
    const readOnly = (
      (props(t, 'GetPaymentRole').Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
      }[]
    )
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((st) => JSON.stringify(st.Resource).includes('PaymentsTable'));
    expect(readOnly.flatMap((st) => st.Action)).toEqual(['dynamodb:GetItem']);
  });

  it('lets submit read the settlement queue backlog (admission control), on that queue only', () => {
    const t = template(stage);
    const statements = (
      (props(t, 'SubmitPaymentRole').Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string[] | string; Resource: unknown }[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const reading = statements.filter((st) =>
      ([] as string[]).concat(st.Action).includes('sqs:GetQueueAttributes'),
    );
    expect(reading.map((st) => st.Resource)).toEqual([[{ 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] }]]);
    const env = (
      props(t, 'SubmitPaymentLambdaFunction').Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(Number(env.SETTLE_CAPACITY_PER_SECOND)).toBeGreaterThan(0);
    expect(Number(env.ADMISSION_BUDGET_SECONDS)).toBeLessThan(10); // inside the SLO
    expect(Number(env.ADMISSION_SAMPLE_MS)).toBeGreaterThanOrEqual(1000);
  });

  it('runs the deadline sweeper every minute on a sparse byDeadline index', () => {
    const t = template(stage);
    const rules = resourcesOfType(t, 'AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ ScheduleExpression: 'rate(1 minute)' })]),
    );
    expect(props(t, 'PaymentsTable').GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'byDeadline',
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'deadlineEpochMs', KeyType: 'RANGE' },
        ],
      }),
    ]);
  });

  it('lets every partner-facing function claim nonces and count its partner rate (PutItem + UpdateItem on the nonces table)', () => {
    const t = template(stage);
    for (const role of ['SubmitPaymentRole', 'GetPaymentRole', 'PaymentStatusRequestRole']) {
      const statements = (
        (props(t, role).Policies ?? []) as {
          PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
        }[]
      )
        .flatMap((p) => p.PolicyDocument.Statement)
        .filter((st) => JSON.stringify(st.Resource).includes('NoncesTable'));
      expect(statements.flatMap((st) => st.Action).sort()).toEqual([
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
    }
  });

  it('throttles the HTTP API per stage', () => {
    const settings = props(template(stage), 'HttpApiStage').DefaultRouteSettings as Record<string, number>;
    const expected = { dev: [50, 100], uat: [500, 1000], cert: [500, 1000], prod: [2000, 4000] }[stage];
    expect([settings.ThrottlingRateLimit, settings.ThrottlingBurstLimit]).toEqual(expected);
  });

  it('exposes the HTTP API routes', () => {
    const routes = resourcesOfType(template(stage), 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties?.RouteKey,
    );
    expect(routes.sort()).toEqual([
      'GET /payments',
      'GET /payments/{id}',
      'POST /payments',
      'POST /payments/status-requests',
    ]);
  });
});
