/**
 * Loads and starts the embedded SQS emulator inside a jest worker (fauxqs is ESM-only; see
 * fauxqs-loader.ts) and checks the canonical queue URLs. The FIFO behaviour is covered by
 * tests/integration/local-sqs-emulator.test.ts.
 */
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { localSqsClient } from '../aws-clients';
import { startSqsEmulator } from './sqs';

describe('startSqsEmulator', () => {
  it('listens on 127.0.0.1 and hands out http://127.0.0.1:<port>/000000000000/<name> queue URLs', async () => {
    const emulator = await startSqsEmulator();
    const client = localSqsClient(emulator.endpoint);
    try {
      expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: 'q.fifo', Attributes: { FifoQueue: 'true' } }),
      );
      expect(QueueUrl).toBe(`${emulator.endpoint}/000000000000/q.fifo`);
      expect(emulator.queueUrl('q.fifo')).toBe(QueueUrl);
      expect((await client.send(new GetQueueUrlCommand({ QueueName: 'q.fifo' }))).QueueUrl).toBe(QueueUrl);
      expect(emulator.inspectQueue('q.fifo')).toMatchObject({
        ready: 0,
        inflight: 0,
        attributes: { FifoQueue: 'true' },
      });
    } finally {
      client.destroy();
      await emulator.stop();
      await emulator.stop();
    }
  });
});
