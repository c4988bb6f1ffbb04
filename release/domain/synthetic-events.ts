import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import type { PreparedRequest } from '../../shared/partner-client';
import type { QueuedProbeMessage } from './ports';
import { PROBE_HEADER } from './probe-identity';

/**
 * The events the probed versions receive when the pre-traffic hook invokes them directly: the
 * same shapes API Gateway (HTTP API, payload 2.0) and the SQS event source mapping hand them,
 * so the version under test runs exactly the code path live traffic takes, middleware included.
 */

/** Where the probe says it sends its requests: a reserved name (RFC 2606), never a real host. */
export const PROBE_BASE_URL = 'https://release-probe.invalid';

export interface ApiRoute {
  /** Route key as declared in serverless.yml, e.g. `GET /payments/{id}`. */
  readonly routeKey: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
}

/** An HTTP API v2 event for a (signed or unsigned) request to PROBE_BASE_URL. */
export function apiEvent(request: PreparedRequest, route: ApiRoute, runId: string): APIGatewayProxyEventV2 {
  const url = new URL(request.url);
  const now = Date.now();
  const headers: Record<string, string> = {
    host: url.host,
    'x-forwarded-proto': url.protocol.replace(/:$/, ''),
    'user-agent': 'rtp-release-probe',
    [PROBE_HEADER]: runId,
  };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) headers['content-length'] = String(request.body.length);
  const requestId = randomBytes(11).toString('base64');
  const text = request.body === undefined ? undefined : request.body.toString('utf8');
  const textual = text !== undefined && Buffer.from(text, 'utf8').equals(request.body ?? Buffer.alloc(0));
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    ...(route.pathParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: 'release-probe',
      apiId: 'release-probe',
      domainName: url.host,
      domainPrefix: url.host.split('.')[0] ?? url.host,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'rtp-release-probe',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(request.body === undefined
      ? { isBase64Encoded: false }
      : textual
        ? { body: text, isBase64Encoded: false }
        : { body: request.body.toString('base64'), isBase64Encoded: true }),
  };
}

/** A one-record SQS FIFO batch carrying `message` exactly as submit would have queued it (in its group). */
export function settleBatchEvent(
  { message, messageGroupId }: QueuedProbeMessage,
  runId: string,
  queueArn = 'arn:aws:sqs:us-east-1:000000000000:release-probe.fifo',
): SQSEvent {
  const body = JSON.stringify(message);
  const now = Date.now();
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `release-probe-${runId}-${randomUUID()}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(now),
          SenderId: 'release-probe',
          ApproximateFirstReceiveTimestamp: String(now),
          MessageGroupId: messageGroupId,
          MessageDeduplicationId: message.paymentId,
          SequenceNumber: String(now),
        },
        messageAttributes: {
          paymentId: {
            dataType: 'String',
            stringValue: message.paymentId,
            stringListValues: [],
            binaryListValues: [],
          },
          partnerId: {
            dataType: 'String',
            stringValue: message.partnerId,
            stringListValues: [],
            binaryListValues: [],
          },
          releaseProbe: {
            dataType: 'String',
            stringValue: runId,
            stringListValues: [],
            binaryListValues: [],
          },
        },
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
      },
    ],
  };
}

/** An EventBridge scheduled event, as the sweeper's `rate(1 minute)` rule sends it. */
export function scheduledEvent(runId: string): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: new Date().toISOString(),
    resources: [],
    detail: { releaseProbe: runId },
  };
}
