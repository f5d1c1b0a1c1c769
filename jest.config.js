/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/dev', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  maxWorkers: 2,
  // A second PostgreSQL cluster plays the branch server, apart from the one on 5432 that plays production.
  globalSetup: '<rootDir>/tests/support/branch-server-setup.ts',
  globalTeardown: '<rootDir>/tests/support/branch-server-teardown.ts',
};
