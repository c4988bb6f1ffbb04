/**
 * The rules of the house bite (eslint.config.mjs, docs/architecture.md):
 *  - the layer import rules refuse what they should and let the rest through;
 *  - the function-length limits ratchet: each area's limit minus one finds a violation, so when
 *    the longest function shrinks this fails until the limit in eslint.config.mjs is lowered;
 *  - the production import graph (type-only imports included) has no cycle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface LintMessage {
  readonly file: string;
  readonly ruleId: string | null;
  readonly line: number;
  readonly message: string;
}
interface House {
  readonly importRules: Record<string, { readonly message: string }>;
  readonly lengthLimits: Record<string, { readonly files: readonly string[]; readonly max: number }>;
}
type LintRequest =
  | { readonly text: string; readonly filePath: string }
  | { readonly files: readonly string[]; readonly length?: { files: readonly string[]; max: number } };

/** One Node process for a batch of requests (tests/support/lint.mjs). */
function lint(requests: readonly LintRequest[]): LintMessage[][] {
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'tests/support/lint.mjs'), JSON.stringify(requests)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return (JSON.parse(out) as { messages: LintMessage[] }[]).map((a) => a.messages);
}

function house(): House {
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'tests/support/lint.mjs'), '[{"house":true}]'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return (JSON.parse(out) as House[])[0]!;
}

const restricted = (messages: readonly LintMessage[]) =>
  messages.filter((m) => m.ruleId === 'no-restricted-imports');

describe('layer import rules', () => {
  // [file the snippet pretends to be, snippet, refused?]
  const cases: readonly [string, string, boolean][] = [
    ['shared/domain/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", true],
    ['shared/domain/x.ts', "import type { Context } from 'aws-lambda';", true],
    ['shared/domain/x.ts', "import middy from '@middy/core';", true],
    ['shared/domain/x.ts', "import { Logger } from '@aws-lambda-powertools/logger';", true],
    ['shared/domain/x.ts', "import '../app/submit';", true],
    ['shared/domain/x.ts', "export { submitPayment } from '../app/submit';", true],
    ['shared/domain/x.ts', "import type { X } from '../iso20022';", true],
    ['shared/app/x.ts', "import '../../tools/local/stack';", true],
    ['shared/app/x.ts', "import { SQSClient } from '@aws-sdk/client-sqs';", true],
    ['shared/app/x.ts', "import type { APIGatewayProxyEvent } from 'aws-lambda';", true],
    ['shared/app/x.ts', "import { logger } from '../observability/powertools';", true],
    ['shared/app/x.ts', "import type { Ledger } from '../adapters/dynamodb/ledger';", true],
    ['shared/app/x.ts', "import '../edges/http/responses';", true],
    ['shared/app/x.ts', "import '../wiring/data';", true],
    ['shared/adapters/dynamodb/x.ts', "import '../../app/settle';", true],
    ['shared/adapters/x.ts', "import '../edges/http/body';", true],
    ['shared/adapters/sqs/x.ts', "import '../../wiring/data';", true],
    ['shared/edges/http/x.ts', "import '../../adapters/sqs/visibility';", true],
    ['shared/edges/queue/x.ts', "import '../../wiring/data';", true],
    ['shared/iso20022/x.ts', "import '../../tests/support/env';", true],
    ['release/x.ts', "import '../tools/bench/stats';", true],
    ['functions/x/handler.ts', "import '../../shared/app/submit';", true],
    ['functions/x/handler.ts', "import '../../shared/adapters/aws-clients';", true],
    ['functions/x/handler.ts', "import '../../tests/support/env';", true],
    // Allowed
    ['shared/domain/x.ts', "import { parseDecimalAmount } from './money';", false],
    ['shared/domain/x.ts', "import { randomUUID } from 'node:crypto';", false],
    ['shared/domain/x.ts', "import * as z from 'zod/mini';", false],
    ['shared/app/x.ts', "import '../domain/money';", false],
    ['shared/app/x.ts', "import '../iso20022';", false],
    ['shared/app/x.ts', "import '../config/rails';", false],
    ['shared/adapters/dynamodb/x.ts', "import '../../domain/ports';", false],
    ['shared/edges/http/x.ts', "import '../../app/submit';", false],
    ['shared/wiring/x.ts', "import '../adapters/dynamodb/ledger';", false],
    ['functions/x/handler.ts', "import middy from '@middy/core';", false],
    [
      'functions/x/handler.ts',
      "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
      false,
    ],
    ['functions/x/handler.ts', "import type { Context } from 'aws-lambda';", false],
    ['functions/x/handler.ts', "import '../../shared/wiring/data';", false],
    ['functions/x/handler.ts', "import '../../shared/edges/http/middleware';", false],
    ['functions/x/handler.ts', "import '../../shared/observability/powertools';", false],
    // Tests and their helpers are exempt: they assemble fakes from every layer.
    ['shared/domain/x.test.ts', "import fc from 'fast-check';", false],
    ['shared/app/x.test.ts', "import '../testing/fakes';", false],
    ['shared/testing/x.ts', "import '../adapters/dynamodb/ledger';", false],
  ];
  const answers = lint(cases.map(([filePath, text]) => ({ filePath, text: `${text}\n` })));

  it.each(cases.map((c, i) => [...c, i] as const))('%s: %s -> refused %s', (_file, _text, refused, i) => {
    const messages = restricted(answers[i]!);
    if (refused) {
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(m.message).toContain('Rule of the house');
    } else {
      expect(messages).toEqual([]);
    }
  });

  it('a refusal names the rule of the house', () => {
    const [domain] = restricted(answers[0]!);
    expect(domain!.message).toContain('shared/domain is pure');
  });
});

describe('function-length limits ratchet down', () => {
  const { lengthLimits } = house();
  // The production limit is the house's target (70) and does not move. Every other area is held
  // at the length of its longest function.
  const ratcheted = Object.entries(lengthLimits).filter(([area]) => area !== 'production');
  const answers = lint(
    ratcheted.map(([, { files, max }]) => ({
      files: files.map((g) => g.split('/')[0]!),
      length: { files, max: max - 1 },
    })),
  );

  it('production code is held at 70 lines', () => {
    expect(lengthLimits.production!.max).toBe(70);
  });

  it.each(ratcheted.map(([area, { max }], i) => [area, max, i] as const))(
    '%s: the limit (%i) is its longest function (lower it in eslint.config.mjs when that shrinks)',
    (area, _max, i) => {
      const over = answers[i]!.filter((m) => m.ruleId === 'max-lines-per-function');
      expect({ area, violationsAtLimitMinusOne: over.length > 0 }).toEqual({
        area,
        violationsAtLimitMinusOne: true,
      });
    },
  );
});

describe('production import graph', () => {
  const AREAS = ['functions', 'shared', 'release', 'tools'];
  const TEST_FILE = /(\.test\.ts$|\/testing\/|\/__fixtures__\/)/;
  // import x from '...', import type ..., export ... from '...', import '...', import('...')
  const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory())
        return name === 'node_modules' || name === 'results' ? [] : files(full);
      return full.endsWith('.ts') ? [full] : [];
    });

  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => p.endsWith('.ts') && existsSync(p));
  };

  function graph(): Map<string, string[]> {
    const nodes = AREAS.flatMap((a) => files(path.join(ROOT, a))).filter((f) => !TEST_FILE.test(f));
    const edges = new Map<string, string[]>();
    for (const file of nodes) {
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
      const targets = [...source.matchAll(IMPORT)]
        .map((m) => resolve(file, m[1]!))
        .filter((t): t is string => t !== undefined && !TEST_FILE.test(t));
      edges.set(file, [...new Set(targets)]);
    }
    return edges;
  }

  /** Cycles closed by a depth-first search (at least one wherever there is a cycle), as repository paths. */
  function cycles(edges: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of edges.get(node) ?? []) {
        if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node);
    return found.map((c) => c.map((f) => path.relative(ROOT, f)));
  }

  it('is read (sanity: the parser finds the imports)', () => {
    const edges = graph();
    const bench = edges.get(path.join(ROOT, 'tools/bench/bench.ts')) ?? [];
    expect(bench).toContain(path.join(ROOT, 'tools/bench/report.ts'));
    expect(edges.size).toBeGreaterThan(100);
  });

  it('has no cycle (type-only imports count)', () => {
    expect(cycles(graph())).toEqual([]);
  });

  it('the cycle finder finds a cycle', () => {
    const g = new Map([
      ['/r/a.ts', ['/r/b.ts']],
      ['/r/b.ts', ['/r/c.ts']],
      ['/r/c.ts', ['/r/a.ts']],
    ]);
    expect(cycles(g).length).toBe(1);
  });
});
