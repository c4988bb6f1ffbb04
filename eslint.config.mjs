import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jestPlugin from 'eslint-plugin-jest';

/*
 * Rules of the house (issue 12, docs/architecture.md), enforced here rather than remembered:
 *
 *  1. Layer import rules, with ESLint's own `no-restricted-imports` (patterns matched on the
 *     import string as written, so a rule names the climb `../`, `../../` to a folder).
 *     Type-only imports count too. Test files, shared test helpers (`testing/`) and fixtures
 *     (`__fixtures__/`) are exempt: they assemble fakes from every layer.
 *  2. A function-length limit that ratchets down: 70 lines (blank lines and comments not counted,
 *     TigerBeetle's `tidy` figure) in production code; tools/ and scripts/ are held at the length
 *     of their longest function today. tests/integration/architecture.test.ts lints each area
 *     with its limit minus one and expects a violation: shorten the longest function and that
 *     test fails until the limit here is lowered to the new longest, so the limits only go down.
 *
 * No file is exempt: there is no allow-list. A rule that does not fit is changed here, in the open.
 */

const HOUSE = 'Rule of the house (docs/architecture.md)';
const CLIMB = '^(\\.\\./)+';

/** Layer import rules: id -> pattern for `no-restricted-imports`. */
const IMPORT_RULES = {
  noToolsOrTests: {
    regex: `${CLIMB}(tools|tests)(/|$)`,
    message: `${HOUSE}: production code never imports tools/ or tests/.`,
  },
  domainPure: {
    // Anything but ./x (shared/domain is flat), node:* and zod.
    regex: '^(?!node:|zod(/mini)?$|\\./)',
    message: `${HOUSE}: shared/domain is pure: it imports only shared/domain itself, node:* and zod.`,
  },
  appTransportFree: {
    group: ['@aws-sdk/*', '@middy/*', '@aws-lambda-powertools/*', 'aws-lambda', '@types/aws-lambda'],
    message: `${HOUSE}: shared/app is transport-free: no AWS SDK, middy, Powertools or Lambda types (edges and adapters hold those, behind ports).`,
  },
  appInward: {
    // shared/app is flat: `../x` is shared/x. Allowed: domain, iso20022, auth, config/rails.
    regex: '^\\.\\./(?!(domain|iso20022|auth)(/|$)|config/rails$)',
    message: `${HOUSE}: shared/app imports only shared/domain, shared/iso20022, shared/auth and shared/config/rails (never edges, adapters, wiring or observability: they reach it through ports).`,
  },
  adaptersOutward: {
    regex: `${CLIMB}(app|edges|wiring)(/|$)`,
    message: `${HOUSE}: shared/adapters hold the AWS code behind the domain's ports: they never import shared/app, shared/edges or shared/wiring.`,
  },
  edgesNoAdapters: {
    regex: `${CLIMB}(adapters|wiring)(/|$)`,
    message: `${HOUSE}: shared/edges get ports, never shared/adapters or shared/wiring (the wiring hands them in).`,
  },
  functionsThin: {
    regex:
      '^(?!(\\.\\./)+shared/(wiring|edges|observability)(/|$)|(\\.\\./)+release/wiring(/|$)|@middy/core$|@aws-lambda-powertools/[^/]+/middleware$|aws-lambda$)',
    message: `${HOUSE}: a handler is a middy chain and one call: it imports only shared/wiring, shared/edges, shared/observability, release/wiring, @middy/core, Powertools middleware and aws-lambda types.`,
  },
};

/** Which rules each production area obeys (files: globs; rules: ids in IMPORT_RULES). */
const LAYERS = [
  { files: ['shared/domain/**/*.ts'], rules: ['noToolsOrTests', 'domainPure'] },
  { files: ['shared/app/**/*.ts'], rules: ['noToolsOrTests', 'appTransportFree', 'appInward'] },
  { files: ['shared/adapters/**/*.ts'], rules: ['noToolsOrTests', 'adaptersOutward'] },
  { files: ['shared/edges/**/*.ts'], rules: ['noToolsOrTests', 'edgesNoAdapters'] },
  { files: ['functions/**/*.ts'], rules: ['noToolsOrTests', 'functionsThin'] },
  {
    files: ['shared/**/*.ts', 'release/**/*.ts'],
    ignores: ['shared/domain/**', 'shared/app/**', 'shared/adapters/**', 'shared/edges/**'],
    rules: ['noToolsOrTests'],
  },
];

/** Test code: exempt from the layer rules and the length limit. */
const TEST_FILES = ['**/*.test.ts', 'tests/**', '**/testing/**', '**/__fixtures__/**'];

/** Function-length limits by area (lines, blank lines and comments not counted). */
const LENGTH_LIMITS = {
  production: { files: ['functions/**/*.ts', 'shared/**/*.ts', 'release/**/*.ts'], max: 70 },
  // The longest function today, lowered whenever it shrinks (see the ratchet above).
  tools: { files: ['tools/**/*.ts'], max: 294 },
  scripts: { files: ['scripts/**/*.ts'], max: 49 },
};

const restricted = (ids) => ['error', { patterns: ids.map((id) => ({ ...IMPORT_RULES[id] })) }];
const lengthRule = (max) => ['error', { max, skipBlankLines: true, skipComments: true }];

/** What tests/integration/architecture.test.ts reads (through tests/support/lint.mjs). */
export const house = {
  importRules: IMPORT_RULES,
  lengthLimits: LENGTH_LIMITS,
  testFiles: TEST_FILES,
  lengthRule,
};

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'coverage/', '.local/', 'tools/bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...LAYERS.map((layer) => ({
    files: layer.files,
    ...(layer.ignores ? { ignores: layer.ignores } : {}),
    rules: { 'no-restricted-imports': restricted(layer.rules) },
  })),
  ...Object.values(LENGTH_LIMITS).map(({ files, max }) => ({
    files,
    rules: { 'max-lines-per-function': lengthRule(max) },
  })),
  {
    files: TEST_FILES,
    rules: { 'no-restricted-imports': 'off', 'max-lines-per-function': 'off' },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    plugins: { jest: jestPlugin },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'fc.assert', 'assert*'] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // CommonJS config files and maintenance scripts.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        process: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
