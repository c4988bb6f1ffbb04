/**
 * The local API Gateway HTTP API (tools/local/http-gateway.ts) over real HTTP: the 2.0 event as the handler
 * sees it, result mapping, and the gateway's own error answers (404, 413, 500, 503).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { startHttpApi, type HttpApiHandle, type HttpRoute } from '../../tools/local/http-gateway';

jest.setTimeout(20_000);

let api: HttpApiHandle;
let fastGateway: HttpApiHandle;
const seen: Array<{ event: APIGatewayProxyEventV2; context: Context }> = [];
const logged: string[] = [];
const logger = {
  info: () => undefined,
  warn: (message: string) => logged.push(message),
  error: (message: string) => logged.push(message),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function route(method: string, path: string, handler: HttpRoute['handler'], timeoutSeconds = 3): HttpRoute {
  return { method, path, functionName: `fn-${method}-${path}`, timeoutSeconds, memorySize: 128, handler };
}

const echo: HttpRoute['handler'] = async (event, context) => {
  seen.push({ event, context });
  return { statusCode: 200, body: 'ok' };
};

beforeAll(async () => {
  api = await startHttpApi({
    port: 0,
    stage: 'local',
    logger,
    routes: [
      route('POST', '/payments', echo),
      route('GET', '/payments/{id}', echo),
      route('GET', '/payments/summary', async () => ({ statusCode: 200, body: 'static route wins' })),
      route('GET', '/files/{path+}', echo),
      route('ANY', '/anything', echo),
      route('GET', '/structured', async () => ({
        statusCode: 201,
        headers: { 'X-Custom': 'yes', 'Content-Type': 'application/octet-stream', 'X-Number': 7 },
        cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
        body: Buffer.from([0, 159, 146, 150, 255]).toString('base64'),
        isBase64Encoded: true,
      })),
      route('GET', '/string', async () => 'plain string result'),
      route('GET', '/object', async () => ({ id: 'p-1', amount: 12 }) as unknown as APIGatewayProxyResultV2),
      route('GET', '/throws', async () => {
        throw new Error('internal detail that must not leak');
      }),
      route('GET', '/malformed', async () => ({ statusCode: 99 })),
      route(
        'GET',
        '/slow',
        async () => {
          await sleep(1_500);
          return { statusCode: 200, body: 'too late' };
        },
        1,
      ),
    ],
  });
  fastGateway = await startHttpApi({
    port: 0,
    stage: 'local',
    logger,
    integrationTimeoutSeconds: 0.5,
    routes: [
      route(
        'GET',
        '/slow',
        async () => {
          await sleep(1_000);
          return { statusCode: 200, body: 'too late' };
        },
        5,
      ),
    ],
  });
});

afterAll(async () => {
  await Promise.all([api.stop(), fastGateway.stop()]);
});

beforeEach(() => {
  seen.length = 0;
  logged.length = 0;
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request (node:http rather than fetch: repeated headers, exact bytes). */
function request(
  base: string,
  method: string,
  path: string,
  { headers = {}, body }: { headers?: http.OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function lastEvent(): APIGatewayProxyEventV2 {
  const last = seen.at(-1);
  if (last === undefined) throw new Error('the handler was not invoked');
  return last.event;
}

describe('local HTTP API (payload format 2.0)', () => {
  it('builds the event API Gateway sends for a JSON POST', async () => {
    const body = JSON.stringify({ amount: '10.00', note: 'naïve €' });
    const response = await request(api.url, 'POST', '/payments?b=2&a=1&a=3&x=%20y', {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'X-Multi': ['one', 'two'],
        'X-Request-ID': 'req-1',
        Cookie: 'session=abc; theme=dark',
        'User-Agent': 'gateway-test/1.0',
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers['apigw-requestid']).toEqual(expect.any(String));

    const event = lastEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /payments',
      rawPath: '/payments',
      rawQueryString: 'b=2&a=1&a=3&x=%20y',
      queryStringParameters: { a: '1,3', b: '2', x: ' y' },
      cookies: ['session=abc', 'theme=dark'],
      isBase64Encoded: false,
      body,
      requestContext: {
        accountId: '000000000000',
        http: {
          method: 'POST',
          path: '/payments',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'gateway-test/1.0',
        },
        routeKey: 'POST /payments',
        stage: '$default',
        timeEpoch: expect.any(Number),
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      },
    });
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers['x-request-id']).toBe('req-1');
    expect(event.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.pathParameters).toBeUndefined();
    expect(seen.at(-1)?.context.functionName).toBe('fn-POST-/payments');
  });

  it('passes a binary body base64-encoded with the exact bytes', async () => {
    const bytes = Buffer.concat([randomBytes(2048), Buffer.from([0xff, 0xfe, 0x00, 0xc3])]);
    await request(api.url, 'POST', '/payments', {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    const event = lastEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('falls back to base64 for a text content type whose bytes are not UTF-8, and for form posts', async () => {
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    await request(api.url, 'POST', '/payments', { headers: { 'Content-Type': 'text/plain' }, body: latin1 });
    expect(lastEvent()).toMatchObject({ isBase64Encoded: true, body: latin1.toString('base64') });

    await request(api.url, 'POST', '/payments', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(lastEvent()).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from('a=1&b=2').toString('base64'),
    });
  });

  it('matches path parameters (decoded), greedy parameters, static routes first, and ANY', async () => {
    await request(api.url, 'GET', '/payments/pay%2F123%20x');
    expect(lastEvent()).toMatchObject({
      routeKey: 'GET /payments/{id}',
      rawPath: '/payments/pay%2F123%20x',
      pathParameters: { id: 'pay/123 x' },
    });
    const summary = await request(api.url, 'GET', '/payments/summary');
    expect(summary.body.toString()).toBe('static route wins');

    await request(api.url, 'GET', '/files/a/b/c.txt');
    expect(lastEvent()).toMatchObject({
      routeKey: 'GET /files/{path+}',
      pathParameters: { path: 'a/b/c.txt' },
    });

    await request(api.url, 'DELETE', '/anything');
    expect(lastEvent()).toMatchObject({
      routeKey: 'ANY /anything',
      requestContext: { http: { method: 'DELETE' } },
    });
  });

  it('answers 404 Not Found for an unknown route or method, without invoking anything', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/payments'],
      ['GET', '/payments/1/extra'],
    ] as const) {
      const response = await request(api.url, method, path);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Not Found' });
    }
    expect(seen).toHaveLength(0);
  });

  it('maps a structured result: status, headers, cookies as Set-Cookie, base64 body decoded', async () => {
    const response = await request(api.url, 'GET', '/structured');
    expect(response.status).toBe(201);
    expect(response.headers['x-custom']).toBe('yes');
    expect(response.headers['x-number']).toBe('7');
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(response.body.equals(Buffer.from([0, 159, 146, 150, 255]))).toBe(true);
  });

  it('maps simplified results (a string, an object without statusCode) to 200 application/json', async () => {
    const text = await request(api.url, 'GET', '/string');
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('application/json');
    expect(text.body.toString()).toBe('plain string result');

    const object = await request(api.url, 'GET', '/object');
    expect(object.status).toBe(200);
    expect(JSON.parse(object.body.toString())).toEqual({ id: 'p-1', amount: 12 });
  });

  it('answers 500 with a generic message when the function throws or returns a malformed result', async () => {
    for (const path of ['/throws', '/malformed']) {
      const response = await request(api.url, 'GET', path);
      expect(response.status).toBe(500);
      expect(response.body.toString()).toBe('{"message":"Internal Server Error"}');
    }
    expect(logged).toEqual([
      'function error (API Gateway answers 500)',
      'malformed Lambda proxy response (API Gateway answers 500)',
    ]);
  });

  it('answers 500 when the function hits its own timeout (Lambda reports an error), 503 at the integration timeout', async () => {
    const functionTimeout = await request(api.url, 'GET', '/slow');
    expect(functionTimeout.status).toBe(500);
    expect(functionTimeout.body.toString()).toBe('{"message":"Internal Server Error"}');

    const startedAt = Date.now();
    const integrationTimeout = await request(fastGateway.url, 'GET', '/slow');
    expect(integrationTimeout.status).toBe(503);
    expect(integrationTimeout.body.toString()).toBe('{"message":"Service Unavailable"}');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('answers 413 for a body over 10 MB, and 200 on the readiness route', async () => {
    const tooLarge = await request(api.url, 'POST', '/payments', {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(seen).toHaveLength(0);

    const health = await request(api.url, 'GET', '/__health');
    expect(health.status).toBe(200);
  });
});
