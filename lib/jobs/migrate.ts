// graphile-worker keeps its tables in its own schema (`graphile_worker`) with its own migration
// ledger (graphile_worker.migrations); Prisma never sees that schema (schema.prisma maps only
// `public`), so the two migrators never touch each other's objects. This runs at every start,
// after the Prisma migrations, and is a no-op when the schema is current.
import { Logger, runMigrations } from 'graphile-worker';

export const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`[jobs] ${message}`);
});

export async function migrateJobsSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: quietLogger, maxPoolSize: 1 });
}
