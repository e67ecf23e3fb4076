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
  // billing: the organisation named as InvoiceIssuerName on on-prem chargeback rows; cost-row → project
  // tag mapping ("tag-key=project-field", field = key | costCentre); watched import folders' root.
  SKYPORT_ORGANISATION_NAME: z.string().min(1).max(200).default('Skyport'),
  SKYPORT_COST_TAG_MAPPING: z
    .string()
    .max(1000)
    .regex(/^(\s*[^=,]+?\s*=\s*(key|costCentre)\s*(,|$))*$/, 'must be "tag=key|costCentre,…" e.g. "project=key,cost-center=costCentre"')
    .default('project=key,cost-center=costCentre'),
  // tag keys whose daily totals are kept at import besides the mapping's (fast breakdowns by them)
  SKYPORT_COST_ROLLUP_TAGS: z.string().max(1000).default(''),
  SKYPORT_COST_IMPORT_DIR: z.string().max(1000).optional(),
  SKYPORT_SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SMTP_FROM: z.string().min(3).max(320).default('Skyport <skyport@localhost>'),
  // engine: background jobs (graphile-worker) — in the web process by default, or `npm run worker`.
  SKYPORT_WORKER: flag,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LEASE_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  PROVIDER_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
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
  /** Inventory: every enabled provider account is synced this often (minutes). */
  syncIntervalMinutes: number;
  /** E-mail notifications go out over this SMTP server when set (lib/notifications/mailer.ts). */
  smtpUrl?: string;
  smtpFrom: string;
  /** billing: InvoiceIssuerName of on-prem chargeback rows. */
  organisationName: string;
  /** billing: tag key → project field used to link cost rows to projects, in order of preference. */
  costTagMapping: { tag: string; field: 'key' | 'costCentre' }[];
  /** Tag keys rolled up per day at import (lib/billing/tag-rollup.ts): the mapping's plus SKYPORT_COST_ROLLUP_TAGS. */
  costRollupTagKeys: string[];
  /** billing: watched folders, one sub-folder per provider account id. */
  costImportDir: string;
  /** engine: run the job worker inside the web process (default on; off when workers run separately). */
  workerInProcess: boolean;
  /** engine: jobs one worker process runs at the same time. */
  workerConcurrency: number;
  /** engine: days between a lease's power-off and the VM's deletion. */
  leaseGraceDays: number;
  /** engine: how often jobs poll a provider's long-running operation. */
  providerPollIntervalMs: number;
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
    syncIntervalMinutes: e.SKYPORT_SYNC_INTERVAL_MINUTES,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    organisationName: e.SKYPORT_ORGANISATION_NAME,
    costTagMapping: e.SKYPORT_COST_TAG_MAPPING.split(',')
      .map((pair) => pair.split('=').map((x) => x.trim()))
      .filter((pair): pair is [string, 'key' | 'costCentre'] => pair.length === 2 && !!pair[0])
      .map(([tag, field]) => ({ tag, field })),
    costRollupTagKeys: [
      ...new Set([...e.SKYPORT_COST_TAG_MAPPING.split(',').map((pair) => pair.split('=')[0]!.trim()), ...e.SKYPORT_COST_ROLLUP_TAGS.split(',').map((k) => k.trim())].filter(Boolean)),
    ].sort(),
    costImportDir: path.resolve(e.SKYPORT_COST_IMPORT_DIR ?? path.join(e.SKYPORT_DATA_DIR, 'cost-imports')),
    workerInProcess: e.SKYPORT_WORKER ?? true,
    workerConcurrency: e.WORKER_CONCURRENCY,
    leaseGraceDays: e.LEASE_GRACE_DAYS,
    providerPollIntervalMs: e.PROVIDER_POLL_INTERVAL_MS,
  };
}
