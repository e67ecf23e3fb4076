// What the policy pages load besides the policies: approver users, projects and templates to pick.
import type { Db } from '@/lib/db/client';
import type { PolicyInput, PolicyView } from '@/lib/policy/schemas';

export async function policyFormOptions(db: Db) {
  const [users, projects, templates] = await Promise.all([
    db.user.findMany({ where: { status: 'active' }, select: { id: true, name: true, email: true }, orderBy: { name: 'asc' }, take: 500 }),
    db.project.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    db.catalogTemplate.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' }, take: 500 }),
  ]);
  return {
    users: users.map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` })),
    projects: projects.map((p) => ({ id: p.id, label: p.name })),
    templates: templates.map((t) => ({ id: t.id, label: t.name })),
  };
}

/** A stored policy as an editable input (for the simulation drafts). */
export function asInput(p: PolicyView): PolicyInput & { id: string } {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    priority: p.priority,
    enabled: p.enabled,
    conditions: p.conditions,
    action: p.action,
    levels: p.levels,
    rejectReason: p.rejectReason,
    quotaMode: p.quotaMode,
    budgetMode: p.budgetMode,
    scope: p.scope,
  };
}
