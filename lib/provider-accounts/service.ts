// Provider accounts: the connections Skyport brokers through. Credentials are encrypted at rest
// (AES-256-GCM) and never leave this module in clear except to build an adapter.
import { z } from 'zod';
import type { Prisma, ProviderAccount, Region } from '@/generated/prisma/client';
import { PROVIDER_KINDS, type AdapterRuntimeOptions, type ProviderAdapter, type ProviderKind } from '@/providers/types';
import { isProviderError, ProviderError } from '@/providers/errors';
import type { ProviderModule } from '@/providers/module';
import { providerModule } from '@/providers/registry';
import { recordAudit, type AuditContext } from '../audit/record';
import { decryptJson, encryptJson, loadSecretKey } from '../crypto/secrets';
import type { Db } from '../db/client';
import { ConflictError, fieldIssuesFromZod, NotFoundError, ValidationError } from '../errors';

/**
 * Bounded so a bad endpoint yields an error in seconds, never a hang: every provider call has one
 * overall deadline (connect + TLS + response + retries), and a whole connection test another.
 */
export const CONNECTION_TEST_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 6_000, callTimeoutMs: 10_000, maxRetries: 1, operationTimeoutMs: 30_000 };
/** A sync's first call against an endpoint that never answers fails within 12 s. */
export const SYNC_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 10_000, callTimeoutMs: 12_000, maxRetries: 3, operationTimeoutMs: 60_000 };
/**
 * A connection test (test call + region discovery) answers within this, whatever the endpoint
 * does; closing the adapter afterwards adds at most 2 s (vCenter Logout), so under 15 s in all.
 */
export const CONNECTION_TEST_DEADLINE_MS = 12_000;

let cachedKey: Buffer | undefined;
function secretKey(): Buffer {
  cachedKey ??= loadSecretKey(process.env);
  return cachedKey;
}

const nameSchema = z.string().trim().min(1, 'Name is required').max(100);

export const createProviderAccountSchema = z.object({
  kind: z.enum(PROVIDER_KINDS),
  name: nameSchema,
  description: z.string().trim().max(500).default(''),
  settings: z.record(z.string().max(100), z.unknown()),
  secrets: z.record(z.string().max(100), z.unknown()),
  enabled: z.boolean().default(true),
  enabledRegions: z.array(z.string().trim().min(1).max(100)).max(500, 'At most 500 regions').default([]),
});
export type CreateProviderAccountInput = z.input<typeof createProviderAccountSchema>;

export const updateProviderAccountSchema = z.object({
  name: nameSchema.optional(),
  description: z.string().trim().max(500).optional(),
  settings: z.record(z.string().max(100), z.unknown()).optional(),
  /**
   * Merged over the stored credentials: a field given replaces the stored one, a field omitted or
   * sent as "" keeps it, null removes it. Omit the whole object to keep every credential.
   */
  secrets: z.record(z.string().max(100), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  enabledRegions: z.array(z.string().trim().min(1).max(100)).max(500, 'At most 500 regions').optional(),
});
export type UpdateProviderAccountInput = z.input<typeof updateProviderAccountSchema>;

export const providerAccountViewSchema = z.object({
  id: z.string(),
  kind: z.enum(PROVIDER_KINDS),
  name: z.string(),
  description: z.string(),
  settings: z.record(z.string().max(100), z.unknown()),
  /** Names of the stored secret fields; values are never returned. */
  secretFields: z.array(z.string()),
  enabled: z.boolean(),
  sandbox: z.boolean(),
  status: z.enum(['unknown', 'ok', 'error']),
  statusMessage: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  lastSyncedAt: z.string().nullable(),
  regions: z.array(z.object({ code: z.string(), name: z.string(), enabled: z.boolean(), zones: z.array(z.string()) })),
  vmCount: z.number().int(),
});
export type ProviderAccountView = z.infer<typeof providerAccountViewSchema>;

type AccountWithRegions = ProviderAccount & { regions: Region[]; _count?: { vms: number } };

function secretFieldNames(account: ProviderAccount): string[] {
  // A key mismatch must not take the whole account list down; test/sync report it specifically.
  let secrets: unknown;
  try {
    secrets = decryptJson(account.secretsCiphertext, secretKey());
  } catch {
    return [];
  }
  return secrets && typeof secrets === 'object' ? Object.keys(secrets).sort() : [];
}

export function toProviderAccountView(account: AccountWithRegions): ProviderAccountView {
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    description: account.description,
    settings: (account.settings ?? {}) as Record<string, unknown>,
    secretFields: secretFieldNames(account),
    enabled: account.enabled,
    sandbox: account.sandbox,
    status: account.status,
    statusMessage: account.statusMessage,
    lastTestedAt: account.lastTestedAt?.toISOString() ?? null,
    lastSyncedAt: account.lastSyncedAt?.toISOString() ?? null,
    regions: [...account.regions]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((r) => ({ code: r.code, name: r.name, enabled: r.enabled, zones: r.zones })),
    vmCount: account._count?.vms ?? 0,
  };
}

const INCLUDE = { regions: true, _count: { select: { vms: { where: { deletedAt: null } } } } } as const;

function validateWith<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error, prefix), `Invalid ${prefix} for this provider.`);
  return parsed.data;
}

/** Auditable view of settings: secrets are never part of before/after. */
function auditView(account: ProviderAccount) {
  return { kind: account.kind, name: account.name, enabled: account.enabled, settings: account.settings };
}

export async function listProviderAccounts(db: Db): Promise<ProviderAccountView[]> {
  const accounts = await db.providerAccount.findMany({ include: INCLUDE, orderBy: [{ kind: 'asc' }, { name: 'asc' }] });
  return accounts.map(toProviderAccountView);
}

export async function getProviderAccount(db: Db, id: string): Promise<ProviderAccountView> {
  const account = await db.providerAccount.findUnique({ where: { id }, include: INCLUDE });
  if (!account) throw new NotFoundError('Provider account');
  return toProviderAccountView(account);
}

async function setEnabledRegions(tx: Prisma.TransactionClient, accountId: string, codes: string[]) {
  await tx.region.updateMany({ where: { providerAccountId: accountId, code: { notIn: codes } }, data: { enabled: false } });
  for (const code of codes) {
    await tx.region.upsert({
      where: { providerAccountId_code: { providerAccountId: accountId, code } },
      create: { providerAccountId: accountId, code, name: code, enabled: true },
      update: { enabled: true },
    });
  }
}

export async function createProviderAccount(db: Db, input: CreateProviderAccountInput, audit: AuditContext): Promise<ProviderAccountView> {
  const data = validateWith(createProviderAccountSchema, input, 'body');
  const module = providerModule(data.kind);
  const settings = validateWith(module.settingsSchema, data.settings, 'settings');
  const secrets = validateWith(module.secretsSchema, data.secrets, 'secrets');
  if (await db.providerAccount.findUnique({ where: { name: data.name } })) {
    throw new ConflictError(`A provider account named "${data.name}" already exists.`);
  }
  const created = await db.$transaction(async (tx) => {
    const account = await tx.providerAccount.create({
      data: {
        kind: data.kind,
        name: data.name,
        description: data.description,
        settings: settings as Prisma.InputJsonValue,
        secretsCiphertext: encryptJson(secrets, secretKey()),
        enabled: data.enabled,
      },
    });
    await setEnabledRegions(tx, account.id, data.enabledRegions);
    await recordAudit(tx, audit, { action: 'provider_account.create', targetType: 'provider_account', targetId: account.id, after: auditView(account) });
    return account;
  });
  return getProviderAccount(db, created.id);
}

/** Stored credentials with a patch applied: "" or undefined keeps a field, null removes it. */
export function mergeSecrets(stored: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = stored && typeof stored === 'object' ? { ...(stored as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== '' && value !== undefined) merged[key] = value;
  }
  return merged;
}

export async function updateProviderAccount(db: Db, id: string, input: UpdateProviderAccountInput, audit: AuditContext): Promise<ProviderAccountView> {
  const data = validateWith(updateProviderAccountSchema, input, 'body');
  const existing = await db.providerAccount.findUnique({ where: { id } });
  if (!existing) throw new NotFoundError('Provider account');
  const module = providerModule(existing.kind);
  const settings = data.settings ? validateWith(module.settingsSchema, data.settings, 'settings') : undefined;
  const patch = data.secrets && Object.values(data.secrets).some((v) => v !== '' && v !== undefined) ? data.secrets : undefined;
  const secrets = patch
    ? validateWith(module.secretsSchema, mergeSecrets(decryptJson(existing.secretsCiphertext, secretKey()), patch), 'secrets')
    : undefined;
  if (data.name && data.name !== existing.name && (await db.providerAccount.findUnique({ where: { name: data.name } }))) {
    throw new ConflictError(`A provider account named "${data.name}" already exists.`);
  }
  await db.$transaction(async (tx) => {
    const updated = await tx.providerAccount.update({
      where: { id },
      data: {
        name: data.name,
        description: data.description,
        enabled: data.enabled,
        ...(settings ? { settings: settings as Prisma.InputJsonValue } : {}),
        ...(secrets ? { secretsCiphertext: encryptJson(secrets, secretKey()) } : {}),
        // A changed connection has not been proven yet.
        ...(settings || secrets ? { status: 'unknown' as const, statusMessage: null } : {}),
      },
    });
    if (data.enabledRegions) await setEnabledRegions(tx, id, data.enabledRegions);
    await recordAudit(tx, audit, {
      action: 'provider_account.update',
      targetType: 'provider_account',
      targetId: id,
      before: auditView(existing),
      after: { ...auditView(updated), secretsReplaced: Boolean(secrets), enabledRegions: data.enabledRegions },
    });
  });
  return getProviderAccount(db, id);
}

/** Build the adapter for a stored account (secrets decrypted in memory only). */
export function adapterForAccount(account: ProviderAccount, runtime: AdapterRuntimeOptions = SYNC_RUNTIME): { adapter: ProviderAdapter; module: ProviderModule<unknown, unknown> } {
  const module = providerModule(account.kind as ProviderKind);
  const settings = module.settingsSchema.parse(account.settings);
  const secrets = module.secretsSchema.parse(decryptJson(account.secretsCiphertext, secretKey()));
  return { adapter: module.createAdapter({ settings, secrets, runtime }), module };
}

/**
 * Run `use` with the account's adapter and always close it afterwards (vCenter sessions, sockets),
 * whether `use` succeeded or not. Prefer this over adapterForAccount.
 */
export async function withAccountAdapter<T>(
  account: ProviderAccount,
  runtime: AdapterRuntimeOptions,
  use: (adapter: ProviderAdapter, module: ProviderModule<unknown, unknown>) => Promise<T>,
): Promise<T> {
  const { adapter, module } = adapterForAccount(account, runtime);
  try {
    return await use(adapter, module);
  } finally {
    await adapter.close();
  }
}

/** Reject with a retryable `unavailable` error when `work` has not settled within `ms`. */
async function answerWithin<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError('unavailable', `${what} got no answer within ${ms / 1000} s`, { providerCode: 'DEADLINE_EXCEEDED' })), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ConnectionTestOutcome {
  ok: boolean;
  detail: string;
  error?: ReturnType<ProviderError['toJSON']>;
  regions: string[];
}

export const connectionTestOutcomeSchema = z.object({
  ok: z.boolean(),
  detail: z.string(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      retryable: z.boolean(),
      providerCode: z.string().optional(),
      providerMessage: z.string().optional(),
      httpStatus: z.number().optional(),
    })
    .optional(),
  regions: z.array(z.string()),
});

function asProviderError(error: unknown): ProviderError {
  if (isProviderError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('unavailable', message, { providerMessage: message, cause: error });
}

/** A cheap authenticated call plus region discovery; records the outcome on the account. */
export async function testProviderAccount(db: Db, id: string, audit: AuditContext): Promise<ConnectionTestOutcome> {
  const account = await db.providerAccount.findUnique({ where: { id } });
  if (!account) throw new NotFoundError('Provider account');
  let outcome: ConnectionTestOutcome;
  try {
    const { detail, regions } = await withAccountAdapter(account, CONNECTION_TEST_RUNTIME, (adapter) =>
      answerWithin(
        CONNECTION_TEST_DEADLINE_MS,
        'The connection test',
        (async () => ({ detail: (await adapter.testConnection()).detail, regions: await adapter.listRegions() }))(),
      ),
    );
    await db.$transaction(async (tx) => {
      for (const region of regions) {
        await tx.region.upsert({
          where: { providerAccountId_code: { providerAccountId: id, code: region.id } },
          create: { providerAccountId: id, code: region.id, name: region.name, zones: region.zones ?? [], enabled: false },
          update: { name: region.name, zones: region.zones ?? [] },
        });
      }
    });
    outcome = { ok: true, detail, regions: regions.map((r) => r.id) };
  } catch (error) {
    const providerError = asProviderError(error);
    outcome = { ok: false, detail: providerError.message, error: providerError.toJSON(), regions: [] };
  }
  await db.$transaction(async (tx) => {
    await tx.providerAccount.update({
      where: { id },
      data: { status: outcome.ok ? 'ok' : 'error', statusMessage: outcome.detail.slice(0, 1000), lastTestedAt: new Date() },
    });
    await recordAudit(tx, audit, {
      action: 'provider_account.test',
      targetType: 'provider_account',
      targetId: id,
      after: { ok: outcome.ok, detail: outcome.detail, errorCode: outcome.error?.code },
    });
  });
  return outcome;
}
