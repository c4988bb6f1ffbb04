/**
 * Two projects (habit from aws-samples serverless-test-samples):
 *  - unit: pure domain/adapters with fakes, colocated `*.test.ts` under shared/ and functions/
 *  - integration: tests/ against the real local stand-ins (DynamoDB Local + fauxqs),
 *    started once per run by tests/support/global-setup.ts.
 * @middy/core 6 is ESM-only: swc transforms it (it is not in transformIgnorePatterns).
 */
const transform = {
  '^.+\\.(t|j|mj)s$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
      module: { type: 'commonjs' },
    },
  ],
};
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/tests/support/env.ts'],
  // Stops the XSD validator's worker thread after each test file (shared/iso20022/schema).
  setupFilesAfterEnv: ['<rootDir>/tests/support/schema-validator.ts'],
};

module.exports = {
  // Real emulators on a shared 2-core machine: a generous per-test budget, never timing asserts.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/shared/**/*.test.ts',
        '<rootDir>/functions/**/*.test.ts',
        '<rootDir>/release/**/*.test.ts',
        '<rootDir>/tools/**/*.test.ts',
        '<rootDir>/scripts/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      setupFiles: ['<rootDir>/tests/support/env.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
};
