import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/password';
import { createTestDatabase } from '../testing/db';
import { DEMO_TEMPLATES } from './catalog-data';
import { DEMO_USERS, seedDemoData } from './seed';

describe('demo seed', () => {
  it('creates the demo world once and is idempotent on every later start', async () => {
    const { db } = await createTestDatabase();
    expect(await seedDemoData(db, { password: 'skyport-demo' })).toEqual({ created: true });
    const count = async () => ({
      users: await db.user.count(),
      projects: await db.project.count(),
      memberships: await db.projectMembership.count(),
      templates: await db.catalogTemplate.count(),
      mappings: await db.templateMapping.count(),
      rates: await db.rate.count(),
      policies: await db.approvalPolicy.count(),
      steps: await db.approvalPolicyStep.count(),
      quotas: await db.quota.count(),
      budgets: await db.budget.count(),
      audit: await db.auditEvent.count(),
    });
    const first = await count();
    expect(first.users).toBe(3);
    expect(first.projects).toBe(2);
    expect(first.templates).toBeGreaterThanOrEqual(3);
    expect(first.mappings).toBe(DEMO_TEMPLATES.reduce((n, t) => n + Object.keys(t.mappings).length, 0));
    expect(await seedDemoData(db, { password: 'skyport-demo' })).toEqual({ created: false });
    expect(await count()).toEqual(first);

    const admin = await db.user.findUniqueOrThrow({ where: { email: 'admin@demo.skyport' } });
    expect(admin.roles).toEqual(DEMO_USERS.find((u) => u.email === admin.email)!.roles);
    expect(await verifyPassword(admin.passwordHash!, 'skyport-demo')).toBe(true);

    // SKYPORT_DEMO_PASSWORD changes take effect on the next start.
    await seedDemoData(db, { password: 'another-password' });
    const changed = await db.user.findUniqueOrThrow({ where: { email: 'admin@demo.skyport' } });
    expect(await verifyPassword(changed.passwordHash!, 'another-password')).toBe(true);
  });
});
