import type { TestProject } from 'vitest/node';
import { type PostgresServer, startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the cluster the `postgres` project runs against. */
    postgresAdminUrl: string;
  }
}

let server: PostgresServer | undefined;

/**
 * Vitest globalSetup of the `postgres` project: one real PostgreSQL cluster for the run (every
 * test makes its own database in it). A missing PostgreSQL fails the run, it is never skipped.
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
}

export async function teardown(): Promise<void> {
  await server?.[Symbol.asyncDispose]();
}
