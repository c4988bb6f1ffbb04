/**
 * Signs a sample API Gateway v2 event from events/ for `sls invoke local`: signatures are
 * single-use and expire, so a committed fixture cannot carry a valid one.
 *
 *   npm run -s event -- sign events/submit-payment.json > /tmp/submit.json
 *   npm run -s event -- sign events/get-payment.json --id <paymentId> > /tmp/get.json
 *   npm run -s event -- settle events/settle-payment.json --id <paymentId> > /tmp/settle.json
 *   npx sls invoke local --stage local -f submitPayment -p /tmp/submit.json
 *
 * `settle` fills the SQS FIFO fixture with the settlement message of a payment recorded in the
 * running local stack (DynamoDB Local on 127.0.0.1:$RTP_DYNAMODB_PORT, default 8765).
 *
 * Uses the demo partner's HMAC key from .local/partner.env (written by `npm start`), or
 * RTP_KEY_ID / RTP_SECRET from the environment. A fresh EndToEndId is put in payment bodies
 * (`--keep-body` to send the fixture's body as is).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { SQSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { signRequest } from '../shared/auth/signer';
import { DynamoPaymentStore } from '../shared/adapters/dynamodb/payment-store';
import { toSettlementMessage } from '../shared/domain/settlement-message';
import { messageGroupId } from '../shared/domain/settlement-message';

async function settleEvent(file: string, paymentId: string): Promise<void> {
  const event = JSON.parse(readFileSync(file, 'utf8')) as SQSEvent;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${process.env.RTP_DYNAMODB_PORT ?? '8765'}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoPaymentStore(DynamoDBDocumentClient.from(client), 'rtp-pipeline-local-payments');
  const payment = await store.get(paymentId);
  if (!payment) throw new Error(`payment ${paymentId} not found in the local stack`);
  const [record] = event.Records;
  if (!record) throw new Error(`${file} has no record`);
  const message = toSettlementMessage(payment, payment.acceptedAt ?? payment.createdAt);
  event.Records = [
    {
      ...record,
      messageId: randomUUID(),
      body: JSON.stringify(message),
      attributes: {
        ...record.attributes,
        MessageGroupId: messageGroupId(payment.debtorAccount),
        MessageDeduplicationId: payment.paymentId,
        SentTimestamp: String(Date.now()),
      },
      messageAttributes: {
        paymentId: {
          stringValue: payment.paymentId,
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        partnerId: {
          stringValue: payment.partnerId,
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
      },
    },
  ];
  client.destroy();
  process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
}

function partnerEnv(): Record<string, string> {
  const file = path.resolve(__dirname, '../.local/partner.env');
  const env: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^(RTP_[A-Z_]+)=(.*)$/.exec(line.trim());
      if (match?.[1] && match[2] !== undefined) env[match[1]] = match[2];
    }
  }
  return {
    ...env,
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => k.startsWith('RTP_') && v !== undefined),
    ),
  } as Record<string, string>;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string' }, 'keep-body': { type: 'boolean', default: false } },
  });
  const [command, file] = positionals;
  if (command === 'settle' && file && values.id) return settleEvent(file, values.id);
  if (command !== 'sign' || !file) {
    throw new Error(
      'usage: event sign <events/*.json> [--id <paymentId>] [--keep-body] | event settle <events/settle-payment.json> --id <paymentId>',
    );
  }
  const event = JSON.parse(readFileSync(file, 'utf8')) as APIGatewayProxyEventV2;
  const env = partnerEnv();
  const keyId = env.RTP_KEY_ID;
  const secret = env.RTP_SECRET;
  if (!keyId || !secret)
    throw new Error('no partner key: start the stack (npm start) or set RTP_KEY_ID and RTP_SECRET');

  if (values.id) {
    event.rawPath = event.rawPath.replace(/[^/]+$/, values.id);
    event.requestContext.http.path = event.rawPath;
    event.pathParameters = { ...event.pathParameters, id: values.id };
  }
  if (event.body && !values['keep-body'] && !event.isBase64Encoded) {
    const body = JSON.parse(event.body) as Record<string, unknown>;
    if (typeof body.endToEndId === 'string') body.endToEndId = `E2E-${randomUUID().slice(0, 20)}`;
    event.body = JSON.stringify(body);
  }
  const headers = Object.fromEntries(
    Object.entries(event.headers).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const scheme = headers['x-forwarded-proto'] ?? 'https';
  const targetUri = `${scheme}://${headers.host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const body =
    event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const signed = signRequest(
    {
      method: event.requestContext.http.method,
      targetUri,
      headers,
      ...(body && body.length > 0 ? { body } : {}),
    },
    { keyId, alg: 'hmac-sha256', key: Buffer.from(secret, 'base64url') },
  );
  event.headers = { ...headers, ...signed };
  event.requestContext.requestId = randomUUID();
  event.requestContext.timeEpoch = Date.now();
  process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
