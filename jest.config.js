/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/dev', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // ESM-only packages (octokit) compiled to CommonJS for jest's module system; Node loads them with require(esm).
    '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|universal-github-app-jwt|toad-cache|content-type|json-with-bigint)/)',
  ],
  testTimeout: 60000,
  maxWorkers: 2,
  // A second PostgreSQL cluster plays the branch server, apart from the one on 5432 that plays production.
  globalSetup: '<rootDir>/tests/support/branch-server-setup.ts',
  globalTeardown: '<rootDir>/tests/support/branch-server-teardown.ts',
};
