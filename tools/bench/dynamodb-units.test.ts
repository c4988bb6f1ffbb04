import {
  attributeValueBytes,
  ItemSizeRegistry,
  parseUpdateExpression,
  writeUnits,
  type TableCatalog,
} from './dynamodb-units';

const catalog: TableCatalog = new Map([
  ['payments', { keyAttributes: ['pk', 'sk'], indexKeys: [['sweepShard', 'deadlineEpochMs']] }],
  ['ledger', { keyAttributes: ['pk', 'sk'], indexKeys: [] }],
]);
const S = (s: string) => ({ S: s });
const N = (n: number) => ({ N: String(n) });

describe('DynamoDB request units by AWS rules', () => {
  it('sizes attribute values', () => {
    expect(attributeValueBytes(S('héllo'))).toBe(6);
    expect(attributeValueBytes(N(12345))).toBe(4);
    expect(attributeValueBytes({ BOOL: true })).toBe(1);
    expect(attributeValueBytes({ M: { a: S('xy') } })).toBe(3 + 1 + 1 + 2);
    expect(attributeValueBytes({ L: [S('a'), S('b')] })).toBe(3 + 2 * (1 + 1));
    expect(attributeValueBytes({ B: Buffer.from('abcd').toString('base64') })).toBe(4);
  });

  it('charges a transaction 2 units per started KB of every item, and index writes', () => {
    const registry = new ItemSizeRegistry(catalog);
    const big = 'x'.repeat(1500);
    const body = {
      TransactItems: [
        {
          Put: {
            TableName: 'payments',
            Item: {
              pk: S('PAY#1'),
              sk: S('PAYMENT'),
              sweepShard: S('OPEN#1'),
              deadlineEpochMs: N(1),
              blob: S(big),
            },
          },
        },
        { Put: { TableName: 'payments', Item: { pk: S('PAY#1'), sk: S('EVENT#1') } } },
      ],
    };
    const units = writeUnits(registry, catalog, 'TransactWriteItems', body);
    expect(units).toMatchObject({ wru: 2 * (2 + 1), indexWru: 2 * 1, items: 2 });
    units?.commit();
    expect(registry.size).toBe(2);
  });

  it('sizes an update from the item it changes and sees it leave an index', () => {
    const registry = new ItemSizeRegistry(catalog);
    registry.put('payments', {
      pk: S('PAY#1'),
      sk: S('PAYMENT'),
      sweepShard: S('OPEN#1'),
      deadlineEpochMs: N(1),
      blob: S('y'.repeat(2100)),
    });
    const update = writeUnits(registry, catalog, 'UpdateItem', {
      TableName: 'payments',
      Key: { pk: S('PAY#1'), sk: S('PAYMENT') },
      UpdateExpression: 'SET #status = :settled, settledAt = :at REMOVE sweepShard',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':settled': S('SETTLED'), ':at': S('2026-01-01T00:00:00.000Z') },
    });
    expect(update).toMatchObject({ wru: 3, indexWru: 1, items: 1 });
    // An item never seen counts as 1 KB.
    expect(
      writeUnits(registry, catalog, 'UpdateItem', {
        TableName: 'ledger',
        Key: { pk: S('ACCT#9'), sk: S('ACCOUNT') },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': N(1) },
      }),
    ).toMatchObject({ wru: 1, indexWru: 0 });
  });

  it('reads what an update expression sets and removes', () => {
    const effect = parseUpdateExpression(
      'SET #s = :s, n = n + :one, m = if_not_exists(m, :z) REMOVE a, b ADD hits :one',
      { '#s': 'status' },
      { ':s': S('OK'), ':z': N(0), ':one': N(1) },
    );
    expect([...effect.set.keys()]).toEqual(['status', 'n', 'm', 'hits']);
    expect(effect.set.get('status')).toBe(6 + 2);
    expect(effect.set.get('n')).toBeUndefined();
    expect([...effect.remove]).toEqual(['a', 'b']);
  });

  it('ignores requests that write nothing', () => {
    expect(
      writeUnits(new ItemSizeRegistry(catalog), catalog, 'GetItem', { TableName: 'payments', Key: {} }),
    ).toBeUndefined();
  });
});
