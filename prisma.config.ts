// Prisma CLI configuration. The CLI would otherwise try to download a native schema-engine binary,
// which this environment cannot fetch; `prisma generate` does not need it, and migrations run
// through the WebAssembly engine in scripts/db-migrate.ts instead.
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://skyport@127.0.0.1:5432/skyport',
  },
});
