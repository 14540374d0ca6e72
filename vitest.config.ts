import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites that touch the database run once per dialect: the `sqlite` project runs every test,
 * the `postgres` project runs the API and store suites again against a real PostgreSQL that its
 * globalSetup starts (plus the replica and outage tests, which only make sense there).
 */
const POSTGRES_SUITES = [
  'test/registry/**/*.test.ts',
  'test/storage/store-contract.test.ts',
  'test/storage/event-log-contract.test.ts',
  'test/storage/job-store-contract.test.ts',
  'test/storage/job-claim-plan.test.ts',
  'test/postgres/**/*.test.ts',
];
/**
 * Pure functions and the executable's flags: nothing of theirs depends on the database. (The
 * domain's own tests, test/mesh, are not among the PostgreSQL suites at all.)
 */
const DIALECT_FREE = [
  'test/registry/validation/**',
  'test/registry/registry-process.test.ts',
  'test/registry/shared-ping.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/postgres/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: POSTGRES_SUITES,
          exclude: [...configDefaults.exclude, ...DIALECT_FREE],
          env: { MESH_TEST_DIALECT: 'postgres' },
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
