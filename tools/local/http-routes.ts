/**
 * HTTP API route matching. API Gateway picks the most specific route: a static segment beats a
 * `{param}`, which beats a greedy `{param+}` (only allowed last); a route with the request's method
 * beats `ANY`; `$default` catches whatever nothing else matched. Path parameters are URL-decoded.
 */

export interface RouteDefinition {
  method: string;
  path: string;
}

type Segment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

export interface CompiledRoute<R extends RouteDefinition> {
  readonly route: R;
  readonly method: string;
  readonly routeKey: string;
  /** undefined for `$default`. */
  readonly segments: readonly Segment[] | undefined;
}

export interface RouteMatch<R extends RouteDefinition> {
  readonly route: R;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

export function compileRoutes<R extends RouteDefinition>(routes: readonly R[]): CompiledRoute<R>[] {
  const seen = new Set<string>();
  return routes.map((route) => {
    const method = route.method === '*' ? 'ANY' : route.method.toUpperCase();
    const routeKey = route.path === '$default' ? '$default' : `${method} ${route.path}`;
    if (seen.has(routeKey)) throw new Error(`Duplicate HTTP API route ${routeKey}`);
    seen.add(routeKey);
    return {
      route,
      method,
      routeKey,
      segments: route.path === '$default' ? undefined : parsePath(route.path),
    };
  });
}

function parsePath(path: string): Segment[] {
  if (!path.startsWith('/')) throw new Error(`HTTP API route path must start with "/": ${path}`);
  const parts = path === '/' ? [] : path.slice(1).split('/');
  return parts.map((part, index): Segment => {
    const parameter = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(part);
    if (parameter === null) {
      if (part.includes('{') || part.includes('}'))
        throw new Error(`Unsupported route segment "${part}" in ${path}`);
      return { kind: 'static', value: part };
    }
    const name = parameter[1] ?? '';
    if (parameter[2] === '+') {
      if (index !== parts.length - 1) throw new Error(`A greedy parameter must be the last segment: ${path}`);
      return { kind: 'greedy', name };
    }
    return { kind: 'param', name };
  });
}

export function matchRoute<R extends RouteDefinition>(
  routes: readonly CompiledRoute<R>[],
  method: string,
  rawPath: string,
): RouteMatch<R> | undefined {
  const requestSegments = rawPath === '/' ? [] : rawPath.replace(/^\//, '').split('/');
  let best: { compiled: CompiledRoute<R>; params: Record<string, string>; score: number[] } | undefined;
  let fallback: CompiledRoute<R> | undefined;
  for (const compiled of routes) {
    if (compiled.segments === undefined) {
      fallback = compiled;
      continue;
    }
    if (compiled.method !== 'ANY' && compiled.method !== method) continue;
    const params = matchSegments(compiled.segments, requestSegments);
    if (params === undefined) continue;
    const score = [...compiled.segments.map(specificity), compiled.method === 'ANY' ? 0 : 1];
    if (best === undefined || compareScores(score, best.score) > 0) best = { compiled, params, score };
  }
  if (best !== undefined) {
    const hasParams = Object.keys(best.params).length > 0;
    return {
      route: best.compiled.route,
      routeKey: best.compiled.routeKey,
      pathParameters: hasParams ? best.params : undefined,
    };
  }
  if (fallback !== undefined)
    return { route: fallback.route, routeKey: '$default', pathParameters: undefined };
  return undefined;
}

function matchSegments(
  segments: readonly Segment[],
  request: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = request.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[segment.name] = decode(rest.join('/'));
      return params;
    }
    const part = request[index];
    if (part === undefined) return undefined;
    if (segment.kind === 'static') {
      if (decode(part) !== segment.value) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.name] = decode(part);
    }
  }
  return request.length === segments.length ? params : undefined;
}

function specificity(segment: Segment): number {
  return segment.kind === 'static' ? 2 : segment.kind === 'param' ? 1 : 0;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch (error) {
    if (error instanceof URIError) return part;
    throw error;
  }
}
