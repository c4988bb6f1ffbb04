import { compileRoutes, matchRoute } from './http-routes';

const routes = compileRoutes([
  { method: 'GET', path: '/payments/{id}' },
  { method: 'GET', path: '/payments/latest' },
  { method: 'ANY', path: '/payments/{id}' },
  { method: 'GET', path: '/files/{rest+}' },
  { method: 'POST', path: '/' },
  { method: 'ANY', path: '$default' },
]);

const key = (method: string, path: string): string | undefined => matchRoute(routes, method, path)?.routeKey;

describe('HTTP API route selection', () => {
  it('prefers static segments, then parameters, then greedy; a method over ANY; $default last', () => {
    expect(key('GET', '/payments/latest')).toBe('GET /payments/latest');
    expect(key('GET', '/payments/p1')).toBe('GET /payments/{id}');
    expect(key('DELETE', '/payments/p1')).toBe('ANY /payments/{id}');
    expect(key('GET', '/files/a/b')).toBe('GET /files/{rest+}');
    expect(key('POST', '/')).toBe('POST /');
    expect(key('GET', '/files')).toBe('$default');
    expect(key('GET', '/payments/p1/x')).toBe('$default');
  });

  it('decodes path parameters and returns none for a static route', () => {
    expect(matchRoute(routes, 'GET', '/payments/a%20b')?.pathParameters).toEqual({ id: 'a b' });
    expect(matchRoute(routes, 'GET', '/files/x/y%2Fz')?.pathParameters).toEqual({ rest: 'x/y/z' });
    expect(matchRoute(routes, 'GET', '/payments/latest')?.pathParameters).toBeUndefined();
  });

  it('rejects duplicate routes and misplaced greedy parameters', () => {
    expect(() =>
      compileRoutes([
        { method: 'GET', path: '/a' },
        { method: 'get', path: '/a' },
      ]),
    ).toThrow('Duplicate');
    expect(() => compileRoutes([{ method: 'GET', path: '/{a+}/b' }])).toThrow('greedy');
  });
});
