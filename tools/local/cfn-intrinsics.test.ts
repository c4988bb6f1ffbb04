import {
  CfnResolutionError,
  referencedLogicalIds,
  resolveCfnString,
  resolveCfnValue,
  type ProvisionedResources,
} from './cfn-intrinsics';

const provisioned: ProvisionedResources = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'svc-local',
  tables: { Payments: { name: 'payments', arn: 'arn:aws:dynamodb:ddblocal:000000000000:table/payments' } },
  queues: {
    Queue: {
      name: 'q.fifo',
      url: 'http://127.0.0.1:9/000000000000/q.fifo',
      arn: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    },
  },
};

describe('resolveCfnValue', () => {
  it('resolves Ref and Fn::GetAtt as CloudFormation documents them', () => {
    expect(resolveCfnValue({ Ref: 'Payments' }, provisioned)).toBe('payments');
    expect(resolveCfnValue({ Ref: 'Queue' }, provisioned)).toBe('http://127.0.0.1:9/000000000000/q.fifo');
    expect(resolveCfnValue({ 'Fn::GetAtt': ['Queue', 'Arn'] }, provisioned)).toBe(
      'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    );
    expect(resolveCfnValue({ 'Fn::GetAtt': 'Queue.QueueName' }, provisioned)).toBe('q.fifo');
    expect(resolveCfnValue({ 'Fn::GetAtt': ['Payments', 'Arn'] }, provisioned)).toBe(
      provisioned.tables.Payments?.arn,
    );
  });

  it('resolves Fn::Sub, Fn::Join, Fn::Select and pseudo parameters, nested in maps and lists', () => {
    const value = resolveCfnValue(
      {
        policy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, maxReceiveCount: 5 },
        list: [
          {
            'Fn::Sub':
              'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Payments}/${Queue.QueueName}/${!Literal}',
          },
        ],
        joined: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'x', 3]] },
        subWithVars: { 'Fn::Sub': ['${A}-${Payments}', { A: { Ref: 'Queue' } }] },
        selected: { 'Fn::Select': [1, ['a', { Ref: 'Payments' }]] },
        dropped: { Ref: 'AWS::NoValue' },
      },
      provisioned,
    );
    expect(value).toEqual({
      policy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:q.fifo', maxReceiveCount: 5 },
      list: ['arn:aws:x:us-east-1:000000000000:payments/q.fifo/${Literal}'],
      joined: 'svc-local-x-3',
      subWithVars: 'http://127.0.0.1:9/000000000000/q.fifo-payments',
      selected: 'payments',
    });
  });

  it('fails clearly on what it cannot resolve', () => {
    expect(() => resolveCfnValue({ Ref: 'SomeRole' }, provisioned)).toThrow(CfnResolutionError);
    expect(() => resolveCfnValue({ 'Fn::GetAtt': ['Queue', 'Nope'] }, provisioned)).toThrow(
      'Fn::GetAtt Queue.Nope',
    );
    expect(() => resolveCfnValue({ 'Fn::If': ['c', 'a', 'b'] }, provisioned)).toThrow(
      'Fn::If is not supported',
    );
    expect(() => resolveCfnString({ a: 1 }, provisioned)).toThrow('Expected a string');
  });
});

describe('referencedLogicalIds', () => {
  it('finds Ref, Fn::GetAtt and Fn::Sub references, without pseudo parameters', () => {
    const ids = referencedLogicalIds({
      a: { Ref: 'A' },
      b: [{ 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::GetAtt': 'C.Arn' }],
      c: { 'Fn::Sub': ['${D}/${E.Arn}/${AWS::Region}/${!F}/${G}', { G: { Ref: 'H' } }] },
    });
    expect([...ids].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'H']);
  });
});
