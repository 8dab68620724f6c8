/**
 * One Temporal dev server per test run (global setup), shared by every test file; each test gets its
 * own task queue and worker. Tests that need a server of their own (restarts, the launcher) start it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/harness/globalSetup.ts',
  globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/harness/quietSdk.ts'],
  // The first test in a file may wait for a worker to bundle and poll; give it room.
  testTimeout: 120_000,
  maxWorkers: 2,
};
