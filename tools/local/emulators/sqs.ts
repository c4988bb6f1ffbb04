/**
 * The local SQS: fauxqs 1.9 embedded in this process (its Fastify app from `buildApp`, listening on
 * 127.0.0.1), spoken to with the AWS SDK v3 SQSClient and `endpoint` set (JSON protocol).
 *
 * Queue URLs are always `http://127.0.0.1:<port>/000000000000/<queueName>`, whatever Host header a client
 * sent: serverless.yml's `local` stage builds PAYMENTS_QUEUE_URL that way, and fauxqs finds queues by exact
 * URL. (fauxqs's default is `http://sqs.<region>.localhost:<port>/...`; we replace its store's
 * `buildQueueUrl`.) Account 000000000000, region us-east-1.
 *
 * What fauxqs reproduces (verified by tests/integration/local-sqs-emulator.test.ts): FIFO ordering per
 * message group, in-flight group blocking, 5-minute deduplication window, content-based deduplication,
 * sequence numbers, visibility timeout, ApproximateReceiveCount, redrive to a DLQ when a receive would
 * exceed maxReceiveCount (done on receive, as SQS does), batches, long polling.
 *
 * Where it differs from SQS (fauxqs 1.9.2):
 *  - fauxqs alone returns at most ONE message per message group per receive (SQS returns as many messages
 *    of a group as it can, up to 10): we replace its FIFO receive so it does as SQS does
 *    (sqs-fifo-receive.ts);
 *  - deduplication is always queue-wide: `DeduplicationScope: messageGroup` is stored but the same
 *    MessageDeduplicationId in two different groups is still treated as a duplicate;
 *  - MessageRetentionPeriod is stored but messages do not expire; FifoThroughputLimit has no effect;
 *  - queues are identified by URL, so one region per emulator (queues of other regions keep fauxqs's
 *    `sqs.<region>.localhost` URLs); no IAM, no KMS, no queue-deletion cool-down.
 */
import { loadFauxqs, type FauxqsSqsStore } from './fauxqs-loader';
import { receiveWholeGroups } from './sqs-fifo-receive';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface StartSqsEmulatorOptions {
  /** Port to listen on (127.0.0.1); a free random port when omitted or 0. */
  port?: number;
  /** Log every request through Fastify's logger (noisy; default false). */
  requestLogging?: boolean;
}

export interface InspectedQueue {
  readonly url: string;
  readonly arn: string;
  readonly attributes: Record<string, string>;
  readonly ready: number;
  readonly delayed: number;
  readonly inflight: number;
}

export interface SqsEmulatorHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from the call to the server listening. */
  readonly startupMs: number;
  /** Canonical URL of a queue on this emulator (whether or not it exists). */
  queueUrl(queueName: string): string;
  /** Non-destructive view of a queue's counts (undefined if it does not exist). */
  inspectQueue(queueName: string): InspectedQueue | undefined;
  /** Close the server (open long polls are cut) and drop all state. Idempotent. */
  stop(): Promise<void>;
}

export async function startSqsEmulator(opts: StartSqsEmulatorOptions = {}): Promise<SqsEmulatorHandle> {
  const startedAt = Date.now();
  const fauxqs = loadFauxqs();
  const sqsStore = new fauxqs.SqsStore();
  receiveWholeGroups(sqsStore);
  const app = fauxqs.buildApp({
    logger: opts.requestLogging ?? false,
    defaultRegion: LOCAL_REGION,
    stores: { sqsStore, snsStore: new fauxqs.SnsStore(), s3Store: new fauxqs.S3Store() },
  });

  await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error('The SQS emulator did not report a TCP address');
  }
  const port = address.port;
  const endpoint = `http://127.0.0.1:${port}`;
  useCanonicalQueueUrls(sqsStore, endpoint);

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    startupMs: Date.now() - startedAt,
    queueUrl: (queueName) => canonicalQueueUrl(endpoint, queueName),
    inspectQueue: (queueName) => {
      const queue = sqsStore.inspectQueue(queueName);
      if (queue === undefined) return undefined;
      return {
        url: queue.url,
        arn: queue.arn,
        attributes: queue.attributes,
        ready: queue.messages.ready.length,
        delayed: queue.messages.delayed.length,
        inflight: queue.messages.inflight.length,
      };
    },
    stop: () => {
      stopping ??= (async () => {
        await app.close();
        sqsStore.purgeAll();
      })();
      return stopping;
    },
  };
}

function canonicalQueueUrl(endpoint: string, queueName: string): string {
  return `${endpoint}/${LOCAL_ACCOUNT_ID}/${queueName}`;
}

/** Make every queue created in the default region get the canonical URL, independent of the Host header. */
function useCanonicalQueueUrls(store: FauxqsSqsStore, endpoint: string): void {
  const fauxqsUrl = store.buildQueueUrl.bind(store);
  store.buildQueueUrl = (queueName, port, requestHost, region) =>
    region === LOCAL_REGION
      ? canonicalQueueUrl(endpoint, queueName)
      : fauxqsUrl(queueName, port, requestHost, region);
}
