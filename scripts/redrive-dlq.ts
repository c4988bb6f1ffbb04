/**
 * Puts the payments dead-letter queue's messages back on the payments queue, after the cause
 * of the failures is fixed (docs/runbook.md, "DLQ has messages").
 *
 *   npm run redrive -- --stage prod --region us-east-1 --dry-run   # count and list, move nothing
 *   npm run redrive -- --stage prod --region us-east-1             # move them all
 *   npm run redrive -- --stage local                               # the npm start stack
 *
 * Options: --max <n> (stop after n messages), --endpoint <url> (an SQS endpoint; the local stage
 * defaults to http://127.0.0.1:$RTP_SQS_PORT). Queue names follow serverless.yml:
 * rtp-pipeline-<stage>-payments.fifo and rtp-pipeline-<stage>-payments-dlq.fifo.
 */
import { parseArgs } from 'node:util';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../shared/adapters/sqs/redrive';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
      endpoint: { type: 'string' },
      max: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const stage = values.stage;
  if (!stage || !/^[a-z0-9-]+$/.test(stage)) throw new Error('--stage <local|dev|uat|cert|prod> is required');
  const endpoint =
    values.endpoint ??
    (stage === 'local' ? `http://127.0.0.1:${process.env.RTP_SQS_PORT ?? '9324'}` : undefined);
  if (stage === 'local') {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  const sqs = new SQSClient({ region: values.region, ...(endpoint ? { endpoint } : {}) });
  const url = async (name: string) => {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error(`queue ${name} not found`);
    return out.QueueUrl;
  };
  const queueUrl = await url(`rtp-pipeline-${stage}-payments.fifo`);
  const dlqUrl = await url(`rtp-pipeline-${stage}-payments-dlq.fifo`);
  const result = await redriveDeadLetters(sqs, {
    queueUrl,
    dlqUrl,
    dryRun: values['dry-run'],
    ...(values.max ? { max: Number(values.max) } : {}),
  });
  console.log(
    values['dry-run']
      ? `${result.seen} message(s) in the DLQ (dry run: nothing moved)`
      : `moved ${result.moved} message(s) from the DLQ back to the payments queue`,
  );
  if (result.paymentIds.length > 0) console.log(`payments: ${result.paymentIds.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`redrive failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
