// Every setting Skyport reads from the environment, validated in one place so a bad value stops
// start-up with a message that names the variable (the README's configuration table mirrors this).
import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(v)));

const port = (fallback: number) =>
  z.coerce.number().int().min(1).max(65_535).default(fallback);

const serverEnvSchema = z.object({
  PORT: port(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SKYPORT_DATA_DIR: z.string().min(1).default('./.skyport'),
  SKYPORT_PG_PORT: port(54329),
  SKYPORT_DEMO: flag,
  SKYPORT_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('skyport-demo'),
  SKYPORT_SANDBOX: flag,
  SKYPORT_PUBLIC_URL: z.string().url().optional(),
  DB_CONNECT_RETRIES: z.coerce.number().int().min(0).max(100).default(10),
});

export interface ServerConfig {
  port: number;
  host: string;
  /** External PostgreSQL; undefined = start the embedded one. */
  databaseUrl?: string;
  dataDir: string;
  pgPort: number;
  /** Seed demo users/projects/templates: default on for the embedded database only. */
  seedDemo: boolean;
  demoPassword: string;
  /** Start the local provider emulators and sandbox accounts: default on with demo data. */
  startSandbox: boolean;
  publicUrl: string;
  dbConnectRetries: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const seedDemo = e.SKYPORT_DEMO ?? !e.DATABASE_URL;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.SKYPORT_DATA_DIR),
    pgPort: e.SKYPORT_PG_PORT,
    seedDemo,
    demoPassword: e.SKYPORT_DEMO_PASSWORD,
    startSandbox: e.SKYPORT_SANDBOX ?? seedDemo,
    publicUrl: e.SKYPORT_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    dbConnectRetries: e.DB_CONNECT_RETRIES,
  };
}
