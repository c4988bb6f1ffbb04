import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../../shared/adapters/sqs/redrive';
import { createIsolatedFifoQueue, standInClients } from '../support/stand-ins';

describe('DLQ redrive (fauxqs)', () => {
  it('moves dead letters back to the queue, keeping their message group, deleting them from the DLQ', async () => {
    const { sqs } = standInClients();
    const q = await createIsolatedFifoQueue('redrive');
    try {
      for (const [group, id] of [
        ['g1', 'p1'],
        ['g1', 'p2'],
        ['g2', 'p3'],
      ] as const) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: q.dlqUrl,
            MessageBody: JSON.stringify({ paymentId: id }),
            MessageGroupId: group,
            MessageDeduplicationId: id,
            MessageAttributes: { paymentId: { DataType: 'String', StringValue: id } },
          }),
        );
      }
      const dry = await redriveDeadLetters(sqs, { queueUrl: q.queueUrl, dlqUrl: q.dlqUrl, dryRun: true });
      expect(dry).toMatchObject({ moved: 0, seen: 3 });

      const result = await redriveDeadLetters(sqs, { queueUrl: q.queueUrl, dlqUrl: q.dlqUrl });
      expect(result.moved).toBe(3);
      expect(result.paymentIds.sort()).toEqual(['p1', 'p2', 'p3']);

      const back: { body: string; group: string | undefined }[] = [];
      for (let i = 0; i < 10 && back.length < 3; i++) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['MessageGroupId'],
          }),
        );
        for (const m of out.Messages ?? []) {
          back.push({ body: m.Body ?? '', group: m.Attributes?.MessageGroupId });
          // Delete as a consumer would, so the next message of a FIFO group is released.
          await sqs.send(new DeleteMessageCommand({ QueueUrl: q.queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
      expect(
        back.map((m) => (JSON.parse(m.body) as { paymentId: string }).paymentId).filter((id) => id !== 'p3'),
      ).toEqual(['p1', 'p2']);
      expect(back.map((m) => m.group).sort()).toEqual(['g1', 'g1', 'g2']);
      expect(
        await redriveDeadLetters(sqs, { queueUrl: q.queueUrl, dlqUrl: q.dlqUrl, dryRun: true }),
      ).toMatchObject({ seen: 0 });
    } finally {
      await q.remove();
    }
  });
});
