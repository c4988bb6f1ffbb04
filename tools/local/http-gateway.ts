/**
 * The local API Gateway HTTP API (payload format 2.0, Lambda proxy integration) on node:http.
 *
 * Like API Gateway:
 *  - routes `METHOD /path/{param}/{greedy+}`, `ANY`, and `$default`; the most specific route wins
 *    (static segments over parameters over greedy parameters, a method over ANY); no match is
 *    404 `{"message":"Not Found"}` (HTTP APIs have no 405);
 *  - the event (see http-event.ts): version 2.0, routeKey, rawPath, rawQueryString, cookies, headers
 *    (lower-cased, repeated headers joined with commas, the Cookie header moved to `cookies`),
 *    queryStringParameters (repeated keys joined with commas), pathParameters, body (a UTF-8 string for
 *    text content types, base64 with isBase64Encoded otherwise), requestContext with stage `$default`;
 *  - the result: an object with statusCode is used as is (headers, cookies as Set-Cookie, body, base64
 *    bodies decoded); a string, or an object without statusCode, becomes 200 application/json (the
 *    "simplified" 2.0 format); a function error (a throw, or the function's own timeout, which Lambda
 *    reports as an error) is 500 `{"message":"Internal Server Error"}`, as is a malformed result;
 *  - the integration timeout (30 s, the HTTP API maximum; configurable down to 50 ms like on AWS) is
 *    503 `{"message":"Service Unavailable"}`: it only shows when the function timeout is longer;
 *  - a request body over 10 MB is 413.
 * `GET /__health` answers 200 for readiness probes (not an AWS route).
 *
 * Where it differs: no authorizers, CORS configuration, throttling, custom domains or stage variables;
 * handlers run in this process (see lambda-context.ts); Lambda's 6 MB invocation payload limit is not
 * enforced; `multiValueHeaders` in a result is ignored (as HTTP APIs do) with a warning.
 */
import http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { buildHttpApiEvent, newApiGatewayRequestId } from './http-event';
import { createLambdaContext, invokeWithTimeout } from './lambda-context';
import { quietLogger, type Logger } from './logger';
import { compileRoutes, matchRoute } from './http-routes';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface HttpRoute {
  /** `GET`, `POST`..., or `ANY`. */
  method: string;
  /** `/payments`, `/payments/{id}`, `/files/{path+}` or `$default`. */
  path: string;
  functionName: string;
  timeoutSeconds: number;
  memorySize?: number;
  handler: HttpApiHandler;
}

export interface StartHttpApiOptions {
  host?: '127.0.0.1';
  /** 0 = a free random port. */
  port: number;
  /** Serverless stage (for logs); the event's requestContext.stage is `$default`, as deployed. */
  stage: string;
  routes: HttpRoute[];
  /** API Gateway's integration timeout, 0.05-30 s (default 30). */
  integrationTimeoutSeconds?: number;
  region?: string;
  accountId?: string;
  logger?: Logger;
}

export interface HttpApiHandle {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stop accepting requests, let the ones in flight finish (up to the integration timeout). Idempotent. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_INTEGRATION_TIMEOUT_SECONDS = 30;

export async function startHttpApi(opts: StartHttpApiOptions): Promise<HttpApiHandle> {
  const logger = opts.logger ?? quietLogger;
  const integrationTimeoutSeconds = opts.integrationTimeoutSeconds ?? MAX_INTEGRATION_TIMEOUT_SECONDS;
  if (!(integrationTimeoutSeconds >= 0.05 && integrationTimeoutSeconds <= MAX_INTEGRATION_TIMEOUT_SECONDS)) {
    throw new RangeError(`integrationTimeoutSeconds must be 0.05-30, got ${integrationTimeoutSeconds}`);
  }
  const routes = compileRoutes(opts.routes);
  const apiId = 'localapi01';
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '000000000000';
  const warnedAbout = new Set<string>();

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      logger.error('local HTTP API failed to handle a request', { method: req.method, url: req.url, error });
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' }, undefined);
      else res.destroy();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const requestId = newApiGatewayRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);

    if (method === 'GET' && rawPath === '/__health') {
      sendJson(res, 200, { status: 'ok' }, requestId);
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      sendJson(res, 413, { message: 'Request Entity Too Large' }, requestId, { connection: 'close' });
      return;
    }
    const match = matchRoute(routes, method, rawPath);
    if (match === undefined) {
      sendJson(res, 404, { message: 'Not Found' }, requestId);
      return;
    }
    const { route } = match;
    const event = buildHttpApiEvent({
      req,
      body,
      routeKey: match.routeKey,
      pathParameters: match.pathParameters,
      requestId,
      receivedAt,
      apiId,
      accountId,
    });
    const context = createLambdaContext({
      functionName: route.functionName,
      timeoutSeconds: route.timeoutSeconds,
      memorySize: route.memorySize,
      region,
      accountId,
    });

    const outcome = await invokeWithIntegrationTimeout(
      route.handler,
      event,
      context,
      integrationTimeoutSeconds,
      logger,
    );
    if (outcome.kind === 'integration-timeout') {
      logger.error('integration timed out (API Gateway answers 503)', {
        routeKey: match.routeKey,
        awsRequestId: context.awsRequestId,
        integrationTimeoutSeconds,
      });
      sendJson(res, 503, { message: 'Service Unavailable' }, requestId);
      return;
    }
    if (outcome.kind === 'function-error') {
      logger.error('function error (API Gateway answers 500)', {
        routeKey: match.routeKey,
        functionName: route.functionName,
        awsRequestId: context.awsRequestId,
        error: outcome.error,
      });
      sendJson(res, 500, { message: 'Internal Server Error' }, requestId);
      return;
    }
    const response = toHttpResponse(outcome.result);
    if (typeof response === 'string') {
      logger.error('malformed Lambda proxy response (API Gateway answers 500)', {
        routeKey: match.routeKey,
        functionName: route.functionName,
        reason: response,
      });
      sendJson(res, 500, { message: 'Internal Server Error' }, requestId);
      return;
    }
    if (response.ignoredMultiValueHeaders && !warnedAbout.has(route.functionName)) {
      warnedAbout.add(route.functionName);
      logger.warn('multiValueHeaders is a payload 1.0 field: HTTP APIs (2.0) ignore it', {
        functionName: route.functionName,
      });
    }
    res.statusCode = response.statusCode;
    for (const [name, value] of response.headers) res.appendHeader(name, value);
    res.setHeader('apigw-requestid', requestId);
    res.setHeader('content-length', response.body.length);
    res.end(response.body);
    logger.info('request', {
      stage: opts.stage,
      routeKey: match.routeKey,
      status: response.statusCode,
      durationMs: Date.now() - receivedAt,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host ?? '127.0.0.1', port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The local HTTP API has no TCP address');

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: () => {
      stopping ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), integrationTimeoutSeconds * 1000 + 1000);
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}

type IntegrationOutcome =
  | { kind: 'result'; result: APIGatewayProxyResultV2 }
  | { kind: 'function-error'; error: unknown }
  | { kind: 'integration-timeout' };

function invokeWithIntegrationTimeout(
  handler: HttpApiHandler,
  event: APIGatewayProxyEventV2,
  context: ReturnType<typeof createLambdaContext>,
  integrationTimeoutSeconds: number,
  logger: Logger,
): Promise<IntegrationOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ kind: 'integration-timeout' }),
      integrationTimeoutSeconds * 1000,
    );
    invokeWithTimeout(handler, event, context, logger).then(
      (result) => {
        clearTimeout(timer);
        resolve({ kind: 'result', result });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: 'function-error', error });
      },
    );
  });
}

/** Read the body as raw bytes; stop at 10 MB (API Gateway's payload limit). */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

interface HttpResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Buffer;
  ignoredMultiValueHeaders: boolean;
}

/** Map a 2.0 Lambda proxy result to an HTTP response, or say why it is malformed. */
export function toHttpResponse(result: unknown): HttpResponse | string {
  if (typeof result === 'string') {
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(result, 'utf8'),
      ignoredMultiValueHeaders: false,
    };
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(JSON.stringify(result ?? null), 'utf8'),
      ignoredMultiValueHeaders: false,
    };
  }
  const { statusCode } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return `statusCode ${JSON.stringify(statusCode)} is not an HTTP status`;
  }
  const headers: Array<[string, string]> = [];
  const rawHeaders: unknown = 'headers' in result ? result.headers : undefined;
  if (rawHeaders !== undefined && rawHeaders !== null) {
    if (typeof rawHeaders !== 'object' || Array.isArray(rawHeaders)) return 'headers is not an object';
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return `header ${name} is not a string, number or boolean`;
      }
      if (!isValidHeader(name, String(value))) return `header ${name} has an invalid name or value`;
      headers.push([name.toLowerCase(), String(value)]);
    }
  }
  const cookies: unknown = 'cookies' in result ? result.cookies : undefined;
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return 'cookies is not a list of strings';
    }
    for (const cookie of cookies) {
      if (!isValidHeader('set-cookie', cookie)) return 'a cookie has an invalid value';
      headers.push(['set-cookie', cookie]);
    }
  }
  const body: unknown = 'body' in result ? result.body : undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return 'body is not a string';
  const base64 = 'isBase64Encoded' in result && result.isBase64Encoded === true;
  return {
    statusCode,
    headers,
    body: typeof body === 'string' ? Buffer.from(body, base64 ? 'base64' : 'utf8') : Buffer.alloc(0),
    ignoredMultiValueHeaders: 'multiValueHeaders' in result,
  };
}

function isValidHeader(name: string, value: string): boolean {
  try {
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    return true;
  } catch (error) {
    // Node's ERR_INVALID_HTTP_TOKEN / ERR_HTTP_INVALID_HEADER_VALUE / ERR_INVALID_CHAR (checked by code:
    // under jest the error comes from another realm, so `instanceof TypeError` would not hold).
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
      return false;
    throw error;
  }
}

function sendJson(
  res: http.ServerResponse,
  statusCode: number,
  payload: unknown,
  requestId: string | undefined,
  extraHeaders: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', body.length);
  if (requestId !== undefined) res.setHeader('apigw-requestid', requestId);
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.end(body);
}
