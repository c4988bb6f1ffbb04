/**
 * Builds the API Gateway HTTP API payload format 2.0 event for a node:http request, field by field as
 * API Gateway does (see http-gateway.ts for the list). Two details worth knowing:
 *  - the body is passed as a UTF-8 string only for text content types (text/*, JSON, XML, JavaScript,
 *    their `+json` / `+xml` variants) and only if the bytes are valid UTF-8; everything else, including
 *    form posts and requests without a Content-Type, is base64 with `isBase64Encoded: true`, so the
 *    handler can always get the exact bytes back;
 *  - the Cookie header is not in `headers`: its cookies are in `cookies`.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpEventInput {
  req: http.IncomingMessage;
  body: Buffer;
  routeKey: string;
  pathParameters: Record<string, string> | undefined;
  requestId: string;
  receivedAt: number;
  apiId: string;
  accountId: string;
}

/** API Gateway request ids look like `JKJaXmPLvHcESHA=`. */
export function newApiGatewayRequestId(): string {
  return randomBytes(11).toString('base64');
}

export function buildHttpApiEvent(input: HttpEventInput): APIGatewayProxyEventV2 {
  const { req, body } = input;
  const rawUrl = req.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    if (name === 'cookie') {
      for (const value of values)
        cookies.push(
          ...value
            .split(';')
            .map((cookie) => cookie.trim())
            .filter(Boolean),
        );
      continue;
    }
    headers[name] = values.join(',');
  }
  const host = headers.host ?? '127.0.0.1';
  const domainName = host.replace(/:\d+$/, '');
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(input.receivedAt / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: clfTime(input.receivedAt),
      timeEpoch: input.receivedAt,
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const query = parseQueryString(rawQueryString);
  if (query !== undefined) event.queryStringParameters = query;
  if (input.pathParameters !== undefined) event.pathParameters = input.pathParameters;
  if (body.length > 0) {
    const text = isTextContentType(headers['content-type']) ? decodeUtf8(body) : undefined;
    if (text === undefined) {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    } else {
      event.body = text;
    }
  }
  return event;
}

/** Repeated keys are joined with commas (2.0 has no multiValueQueryStringParameters). */
function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = result[key];
    result[key] = previous === undefined ? value : `${previous},${value}`;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

const TEXT_TYPES =
  /^(text\/[^;]+|application\/(json|xml|javascript|ecmascript|[^;]+\+json|[^;]+\+xml))\s*(;|$)/i;

function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPES.test(contentType.trim());
}

function decodeUtf8(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()] ?? ''}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
