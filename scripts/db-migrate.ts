// Offline replacement for `prisma migrate …`: drives the WebAssembly schema engine through the pg
// driver adapter (lib/db/migrations). Commands:
//   create --name <name>   write prisma/migrations/<ts>_<name>/migration.sql for schema changes
//   deploy                 apply pending migrations (what `npm start` does)
//   status                 show applied / pending / failed migrations; exit 1 unless up to date
//   check                  exit 1 if prisma/migrations is not in sync with prisma/schema.prisma
// Uses DATABASE_URL; without it, starts the embedded PostgreSQL in SKYPORT_DATA_DIR.
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import {
  createMigration,
  deployMigrations,
  diffMigrationsToSchema,
  migrationStatus,
} from '../lib/db/migrations/engine';
import { loadServerConfig } from '../lib/config/server-config';

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' } },
  });
  const command = positionals[0];
  if (!command || !['create', 'deploy', 'status', 'check'].includes(command)) {
    console.error('usage: db-migrate <create --name NAME | deploy | status | check>');
    return 2;
  }
  const config = loadServerConfig(process.env);
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.pgPort, database: 'skyport' });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    switch (command) {
      case 'create': {
        const name = (values.name ?? '').trim().replace(/[^A-Za-z0-9_]+/g, '_');
        if (!name) {
          console.error('create needs --name <name>');
          return 2;
        }
        const created = await createMigration(url, name);
        console.log(created ? `Created prisma/migrations/${created.name}/migration.sql` : 'No schema changes: nothing to create.');
        return 0;
      }
      case 'deploy': {
        const applied = await deployMigrations(url);
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'No pending migrations.');
        return 0;
      }
      case 'status': {
        const status = await migrationStatus(url);
        console.log(`${status.migrations.length} migration(s) found in prisma/migrations`);
        const { history, failedMigrationNames, editedMigrationNames } = status.diagnostic;
        if (failedMigrationNames.length) console.log(`Failed: ${failedMigrationNames.join(', ')}`);
        if (editedMigrationNames.length) console.log(`Edited after being applied: ${editedMigrationNames.join(', ')}`);
        if (history?.diagnostic === 'databaseIsBehind') console.log(`Not yet applied: ${history.unappliedMigrationNames.join(', ')}`);
        if (history?.diagnostic === 'migrationsDirectoryIsBehind')
          console.log(`Applied but missing locally: ${history.unpersistedMigrationNames.join(', ')}`);
        if (history?.diagnostic === 'historiesDiverge')
          console.log(`Histories diverge after ${history.lastCommonMigrationName ?? '(start)'}`);
        console.log(status.upToDate ? 'Database schema is up to date!' : 'Database schema is NOT up to date.');
        return status.upToDate ? 0 : 1;
      }
      case 'check': {
        const diff = await diffMigrationsToSchema(url);
        if (diff) {
          console.error('prisma/migrations is not in sync with prisma/schema.prisma. Missing SQL:\n' + diff);
          console.error('Run: npm run db:migrate:create -- --name <what-changed>');
          return 1;
        }
        console.log('Migrations are in sync with the schema.');
        return 0;
      }
    }
    return 2;
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
