// Vitest global setup: one real PostgreSQL (embedded) for the whole run, with a template database
// that has every migration applied. Each test file clones the template (CREATE DATABASE … TEMPLATE,
// ~100 ms), so files are isolated and run in parallel without re-migrating.
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { deployMigrations } from '../db/migrations/engine';
import { withDatabase } from '../db/pg-pool';
import { migrateJobsSchema } from '../jobs/migrate';

export const TEMPLATE_DATABASE = 'skyport_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_ADMIN_URL;
  let stop = async () => {};
  let adminUrl: string;
  if (external) {
    adminUrl = external;
  } else {
    const dataDir = path.resolve('.test-data', `pg-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: TEMPLATE_DATABASE });
    adminUrl = server.adminUrl;
    stop = async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const { ensureDatabase } = await import('../db/embedded');
  await ensureDatabase(adminUrl, TEMPLATE_DATABASE);
  await deployMigrations(withDatabase(adminUrl, TEMPLATE_DATABASE));
  // graphile-worker's own schema, so every clone can enqueue and run jobs (lib/jobs/migrate.ts).
  await migrateJobsSchema(withDatabase(adminUrl, TEMPLATE_DATABASE));
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDatabase', TEMPLATE_DATABASE);
  return stop;
}
