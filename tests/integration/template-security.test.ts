import {
  DEPLOYABLE_STAGES,
  propertiesOf,
  resourcesOfType,
  useStageTemplates,
  type CfnTemplate,
} from '../support/package-template';

/**
 * Secure by default, checked on the CloudFormation `sls package` produces offline for every
 * deployable stage: least-privilege IAM (no wildcard action, "*" resources only where AWS
 * requires them), the customer-managed KMS key and its scoped policy, encryption of the tables,
 * queues and log groups, TLS-only queues, per-stage data protection (PITR, deletion protection),
 * DLQ / redrive wiring, the settle event source mapping, reserved concurrency and time-outs.
 */
const STAGES = DEPLOYABLE_STAGES;
const template = useStageTemplates();

const props = propertiesOf;

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
const resourcesOf = (s: Statement) => ([] as unknown[]).concat(s.Resource);

/** Every IAM statement granted to a role: inline policies and standalone AWS::IAM::Policy resources. */
function roleStatements(t: CfnTemplate): [string, Statement][] {
  const out: [string, Statement][] = [];
  for (const [id, role] of resourcesOfType(t, 'AWS::IAM::Role')) {
    const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    for (const s of policies.flatMap((p) => p.PolicyDocument.Statement)) out.push([id, s]);
  }
  for (const [id, policy] of resourcesOfType(t, 'AWS::IAM::Policy')) {
    for (const s of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement)
      out.push([id, s]);
  }
  return out;
}

const TABLES = ['PaymentsTable', 'LedgerTable', 'IdempotencyTable', 'PartnersTable', 'NoncesTable'];
const FUNCTION_ROLES = [
  'SubmitPaymentRole',
  'GetPaymentRole',
  'PaymentStatusRequestRole',
  'SettlePaymentRole',
  'SweepDeadlinesRole',
];
const KEY_ARN = { 'Fn::GetAtt': ['PipelineKey', 'Arn'] };

describe.each(STAGES)('stage %s security', (stage) => {
  it('grants no wildcard action; "*" resources only for X-Ray; wildcards in ARNs only inside the stage name space', () => {
    const statements = roleStatements(template(stage));
    expect(statements.length).toBeGreaterThan(20);
    for (const [id, s] of statements) {
      expect(s.Effect).toBe('Allow');
      for (const action of actionsOf(s)) expect(`${id}:${action}`).not.toMatch(/\*/);
      for (const resource of resourcesOf(s)) {
        if (resource === '*') {
          // Neither X-Ray nor CloudWatch GetMetricData (the post-traffic hook) has resource-level permissions.
          expect(`${id}:${actionsOf(s).sort().join(',')}`).toMatch(
            /^\w+:xray:PutTelemetryRecords,xray:PutTraceSegments$|^PostTrafficHookRole:cloudwatch:GetMetricData$/,
          );
          continue;
        }
        // A wildcard inside an ARN only after a prefix naming this stage (a function's log streams,
        // the stage's partner secrets whose names Secrets Manager suffixes, a function's versions):
        // never a family wider than the stage's own resources.
        const text = JSON.stringify(resource);
        const star = text.indexOf('*');
        if (star >= 0)
          expect(`${id}:${text.slice(0, star)}`).toMatch(new RegExp(`rtp-pipeline[-/]${stage}[-/]`));
      }
    }
  });

  it('uses no managed policies and one role per function', () => {
    const roles = resourcesOfType(template(stage), 'AWS::IAM::Role');
    for (const [, role] of roles) expect(role.Properties?.ManagedPolicyArns ?? []).toEqual([]);
    const used = resourcesOfType(template(stage), 'AWS::Lambda::Function').map(([, fn]) =>
      JSON.stringify(fn.Properties?.Role),
    );
    expect(new Set(used).size).toBe(used.length);
  });

  it('lets every role that touches an encrypted table, queue or topic use the pipeline key, only through those services', () => {
    const byRole = new Map<string, Statement[]>();
    for (const [id, s] of roleStatements(template(stage))) byRole.set(id, [...(byRole.get(id) ?? []), s]);
    const withKey: string[] = [];
    for (const [id, statements] of byRole) {
      const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
      const other = JSON.stringify(statements.filter((s) => !kms.includes(s)));
      const tables = TABLES.some((table) => new RegExp(`\\b${table}\\b`).test(other));
      const queues = /\bPaymentsQueue\b|\bPaymentsDeadLetterQueue\b/.test(other);
      if (!tables && !queues) {
        // The encrypted ops topic (CodeDeploy's deployment triggers): the key through SNS only.
        const topic = /\bOpsTopic\b/.test(other);
        expect({ id, kms }).toEqual({
          id,
          kms: topic
            ? [
                {
                  Effect: 'Allow',
                  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
                  Resource: [KEY_ARN],
                  Condition: {
                    StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' }] },
                  },
                },
              ]
            : [],
        });
        continue;
      }
      withKey.push(id);
      expect({ id, statements: kms.length }).toEqual({ id, statements: 1 });
      const [s] = kms as [Statement];
      expect(resourcesOf(s)).toEqual([KEY_ARN]);
      expect(actionsOf(s).sort()).toEqual([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      ]);
      const services = JSON.stringify(s.Condition?.StringEquals?.['kms:ViaService']);
      expect({ id, dynamodb: services.includes('dynamodb.${AWS::Region}') }).toEqual({
        id,
        dynamodb: tables,
      });
      expect({ id, sqs: services.includes('sqs.${AWS::Region}') }).toEqual({ id, sqs: queues });
    }
    expect(withKey).toEqual(expect.arrayContaining(FUNCTION_ROLES));
  });

  it('has a rotating customer-managed key whose policy is scoped (root administers, use only via SQS / DynamoDB)', () => {
    const t = template(stage);
    const key = t.Resources.PipelineKey;
    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties).toMatchObject({
      EnableKeyRotation: true,
      PendingWindowInDays: stage === 'cert' || stage === 'prod' ? 30 : 7,
    });
    expect(key?.DeletionPolicy).toBe(stage === 'cert' || stage === 'prod' ? 'Retain' : 'Delete');
    const statements = (key?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
    const root = { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } };
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(actionsOf(s)).not.toContain('kms:*');
      if (
        JSON.stringify(s.Principal) === JSON.stringify(root) &&
        actionsOf(s).some((a) => ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'].includes(a))
      ) {
        // Use by account principals: only through SQS / DynamoDB, only from this account; or
        // through SNS by the release's CodeDeploy role alone (deployment triggers to the ops topic).
        expect(s.Condition?.StringEquals?.['kms:CallerAccount']).toEqual({ Ref: 'AWS::AccountId' });
        if (s.Sid === 'ReleaseCodeDeployRolePublishesToTheEncryptedOpsTopic') {
          expect(s.Condition?.StringEquals?.['kms:ViaService']).toEqual({
            'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com',
          });
          expect(s.Condition?.ArnLike?.['aws:PrincipalArn']).toEqual({
            'Fn::Sub':
              'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-ReleaseCodeDeployRole-*',
          });
          expect(actionsOf(s)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
        } else
          expect(s.Condition?.StringEquals?.['kms:ViaService']).toEqual([
            { 'Fn::Sub': 'sqs.${AWS::Region}.amazonaws.com' },
            { 'Fn::Sub': 'dynamodb.${AWS::Region}.amazonaws.com' },
          ]);
      }
    }
    const admin = statements.find((s) => s.Sid === 'AccountRootAdministersTheKey');
    expect(admin?.Principal).toEqual(root);
    expect(actionsOf(admin as Statement)).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
    const logs = statements.find((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(JSON.stringify(logs?.Condition)).toContain(`log-group:/aws/lambda/rtp-pipeline-${stage}-*`);
    expect(statements.map((s) => JSON.stringify(s.Principal))).toEqual(
      expect.arrayContaining([
        JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
        JSON.stringify({ Service: 'dynamodb.amazonaws.com' }),
      ]),
    );
    expect(props(t, 'PipelineKeyAlias')).toEqual({
      AliasName: `alias/rtp-pipeline-${stage}`,
      TargetKeyId: { Ref: 'PipelineKey' },
    });
  });

  it('encrypts every table with the key; PITR on payments and ledger and deletion protection in prod only', () => {
    const t = template(stage);
    const prod = stage === 'prod';
    for (const id of TABLES) {
      const p = props(t, id);
      expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN });
      expect({ id, deletionProtection: p.DeletionProtectionEnabled }).toEqual({
        id,
        deletionProtection: prod,
      });
      const pitr =
        (p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled: boolean } | undefined)
          ?.PointInTimeRecoveryEnabled ?? false;
      expect({ id, pitr }).toEqual({ id, pitr: prod && (id === 'PaymentsTable' || id === 'LedgerTable') });
    }
  });

  it('encrypts both queues with the key and denies them to any request not over TLS', () => {
    const t = template(stage);
    for (const id of ['PaymentsQueue', 'PaymentsDeadLetterQueue']) {
      expect(props(t, id)).toMatchObject({ KmsMasterKeyId: KEY_ARN, KmsDataKeyReusePeriodSeconds: 300 });
    }
    const [policies, ...more] = resourcesOfType(t, 'AWS::SQS::QueuePolicy');
    expect(more).toEqual([]);
    expect(policies?.[1].Properties?.Queues).toEqual([
      { Ref: 'PaymentsQueue' },
      { Ref: 'PaymentsDeadLetterQueue' },
    ]);
    const statements = (policies?.[1].Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: [
          { 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] },
          { 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'Arn'] },
        ],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
  });

  it("encrypts the pipeline functions' log groups with the key", () => {
    for (const fn of [
      'SubmitPayment',
      'GetPayment',
      'PaymentStatusRequest',
      'SettlePayment',
      'SweepDeadlines',
    ]) {
      expect(props(template(stage), `${fn}LogGroup`).KmsKeyId).toEqual(KEY_ARN);
    }
  });

  it('wires the DLQ: FIFO to FIFO redrive after the stage maxReceiveCount, DLQ kept 14 days', () => {
    const t = template(stage);
    expect(props(t, 'PaymentsQueue').RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(props(t, 'PaymentsDeadLetterQueue')).toMatchObject({
      FifoQueue: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(Number(props(t, 'PaymentsDeadLetterQueue').MessageRetentionPeriod)).toBeGreaterThan(
      Number(props(t, 'PaymentsQueue').MessageRetentionPeriod),
    );
  });

  it('lets only submit send to the payments queue and only settle send to the DLQ (poison messages)', () => {
    const senders: Record<string, unknown[]> = {};
    for (const [id, s] of roleStatements(template(stage))) {
      if (!actionsOf(s).some((action) => action.startsWith('sqs:Send'))) continue;
      // SendMessage only (SendMessageBatch is needed by neither).
      const sends = actionsOf(s).filter((action) => action.startsWith('sqs:Send'));
      expect({ id, sends }).toEqual({ id, sends: ['sqs:SendMessage'] });
      senders[id] = [...(senders[id] ?? []), ...resourcesOf(s)];
    }
    expect(senders).toEqual({
      SubmitPaymentRole: [{ 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] }],
      SettlePaymentRole: [{ 'Fn::GetAtt': ['PaymentsDeadLetterQueue', 'Arn'] }],
    });
  });

  it('maps the queue to settle with ReportBatchItemFailures, a time-out the visibility covers 6x, reserved concurrency', () => {
    const t = template(stage);
    const mappings = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['PaymentsQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // The function itself or an alias of it (blue/green releases point the mapping at an alias).
    expect(JSON.stringify(mappings[0]?.[1].Properties?.FunctionName)).toContain(
      'SettlePaymentLambdaFunction',
    );
    const settle = props(t, 'SettlePaymentLambdaFunction');
    expect(Number(props(t, 'PaymentsQueue').VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * Number(settle.Timeout),
    );
    expect(settle.ReservedConcurrentExecutions).toBe({ dev: 5, uat: 10, cert: 20, prod: 50 }[stage]);
    // The concurrency alarm sits below the reservation.
    expect(Number(props(t, 'SettleConcurrencyAlarm').Threshold)).toBeLessThan(
      Number(settle.ReservedConcurrentExecutions),
    );
  });

  it('traces every function with X-Ray', () => {
    for (const [, fn] of resourcesOfType(template(stage), 'AWS::Lambda::Function')) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });
});
