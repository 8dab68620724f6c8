/** The non-test code, whose coverage `npm test` reports. */
const SOURCE_DIRS = [
  'workflows',
  'activities',
  'workers',
  'triggers',
  'client',
  'cli',
  'core',
  'providers',
  'fleet',
];

/**
 * One Temporal dev server per test run (global setup), shared by every test file; each test gets its
 * own task queue and worker. Tests that need a server of their own (restarts, the launcher) start it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  // The source folders are roots too, only so coverage also counts the files no test loads (tests are
  // found by testMatch, and all of them live under test/).
  roots: ['test', ...SOURCE_DIRS].map((dir) => `<rootDir>/${dir}`),
  testMatch: ['**/*.test.ts'],
  // test/slow runs the production timings, minutes per incident: only `npm run test:slow` runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/slow/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/harness/globalSetup.ts',
  globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/harness/quietSdk.ts'],
  // The first test in a file may wait for a worker to bundle and poll; give it room.
  testTimeout: 120_000,
  maxWorkers: 2,
  // Coverage of the non-test code, printed as a summary by `npm test` (`jest --coverage`) and written to
  // coverage/coverage-summary.json; no threshold, so it never fails a run. V8's own coverage counts only
  // code run in the Jest worker processes: not workflow code (it runs in Temporal's sandbox from a
  // webpack bundle), nor what tests run in child processes (the CLI, the launcher, crash-test workers).
  coverageProvider: 'v8',
  collectCoverageFrom: [`{${SOURCE_DIRS.join(',')}}/**/*.ts`, '!**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageDirectory: '<rootDir>/coverage',
};

/**
 * `npm run test:slow` (HOMEOSTAT_SLOW_TESTS=1): only the tests under test/slow, which run Homeostat with
 * its production timings (the default catalog's bake times, the default windows, triage wait and shutdown
 * grace, the AWS poll interval), and the longest scenarios (retries run out, a scale-back across a worker
 * crash, the fleet's load and network faults), which keep `npm test` within its time. Same server and
 * bundle (global setup); no coverage; a longer timeout.
 */
if (process.env.HOMEOSTAT_SLOW_TESTS === '1') {
  Object.assign(module.exports, {
    roots: ['<rootDir>/test'],
    testMatch: ['<rootDir>/test/slow/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
    testTimeout: 600_000,
  });
}
