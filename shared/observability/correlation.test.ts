import type { SQSRecord } from 'aws-lambda';
import {
  appendCorrelation,
  clearCorrelation,
  CORRELATION_KEYS,
  correlationOf,
  correlationOfRecord,
} from './correlation';
import { logger } from './powertools';

describe('correlation ids', () => {
  it('reads them from a payment (references) and from a settlement message (flat), msgId when present', () => {
    expect(
      correlationOf({ paymentId: 'p', partnerId: 'bank', references: { endToEndId: 'E2E-1', msgId: 'M-1' } }),
    ).toEqual({
      paymentId: 'p',
      partnerId: 'bank',
      endToEndId: 'E2E-1',
      msgId: 'M-1',
    });
    expect(correlationOf({ paymentId: 'p', partnerId: 'bank', endToEndId: 'E2E-2' })).toEqual({
      paymentId: 'p',
      partnerId: 'bank',
      endToEndId: 'E2E-2',
    });
  });

  it('reads an SQS record without parsing its body: message id and the paymentId / partnerId attributes', () => {
    const record = {
      messageId: 'm-1',
      messageAttributes: {
        paymentId: { dataType: 'String', stringValue: 'p' },
        partnerId: { dataType: 'String', stringValue: 'bank' },
      },
    } as unknown as SQSRecord;
    expect(correlationOfRecord(record)).toEqual({ sqsMessageId: 'm-1', paymentId: 'p', partnerId: 'bank' });
    expect(correlationOfRecord({ messageId: 'm-2', messageAttributes: {} })).toEqual({ sqsMessageId: 'm-2' });
  });

  it('appends only the ids it has to the logger, and removes them all again', () => {
    const append = jest.spyOn(logger, 'appendKeys');
    const remove = jest.spyOn(logger, 'removeKeys');
    try {
      appendCorrelation({ paymentId: 'p', endToEndId: '' });
      expect(append).toHaveBeenCalledWith({ paymentId: 'p' });
      clearCorrelation();
      expect(remove).toHaveBeenCalledWith([...CORRELATION_KEYS]);
    } finally {
      append.mockRestore();
      remove.mockRestore();
    }
  });
});
