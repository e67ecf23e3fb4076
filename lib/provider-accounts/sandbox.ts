// Sandbox accounts of the embedded demo: one per provider, pointed at its local emulator. Upserted
// at every start because the emulator URL belongs to this machine.
import type { Prisma } from '@/generated/prisma/client';
import type { ProviderModule } from '@/providers/module';
import { auditContext, recordAudit, SYSTEM_ACTOR } from '../audit/record';
import { encryptJson, loadSecretKey } from '../crypto/secrets';
import type { Db } from '../db/client';

export function sandboxAccountName(module: Pick<ProviderModule, 'label'>): string {
  return `Sandbox ${module.label}`;
}

export async function upsertSandboxAccount(
  db: Db,
  module: ProviderModule<unknown, unknown>,
  account: { settings: unknown; secrets: unknown; regions: string[] },
): Promise<string> {
  const name = sandboxAccountName(module);
  const settings = module.settingsSchema.parse(account.settings) as Prisma.InputJsonValue;
  const secretsCiphertext = encryptJson(module.secretsSchema.parse(account.secrets), loadSecretKey(process.env));
  const existing = await db.providerAccount.findUnique({ where: { name } });
  const saved = await db.providerAccount.upsert({
    where: { name },
    create: {
      kind: module.kind,
      name,
      description: `Local ${module.label} emulator for trying Skyport; VMs here are not real.`,
      settings,
      secretsCiphertext,
      sandbox: true,
    },
    update: { settings, secretsCiphertext },
  });
  if (!existing) {
    for (const code of account.regions) {
      await db.region.upsert({
        where: { providerAccountId_code: { providerAccountId: saved.id, code } },
        create: { providerAccountId: saved.id, code, name: code, enabled: true },
        update: {},
      });
    }
    await recordAudit(db, auditContext(SYSTEM_ACTOR), {
      action: 'provider_account.create',
      targetType: 'provider_account',
      targetId: saved.id,
      after: { kind: module.kind, name, sandbox: true },
    });
  }
  return saved.id;
}
