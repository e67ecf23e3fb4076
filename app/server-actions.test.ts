// Every server action's guard (issue 11 §3): finds every 'use server' module under app/, components/
// and lib/, and calls each exported action as anonymous (→ redirect to /signin), as a signed-in
// user with no role (→ refused: a FormState error or a redirect to /forbidden, nothing runs) and
// as an admin (→ gets past the guard). Actions are called with placeholder ids, so an admin's
// call typically ends in "not found" — the point is that the guard let it through.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setActionRequestSource } from '@/lib/actions/safe-action';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { sessionCookie, useTestSessionSecret } from '@/lib/testing/session';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');
useTestSessionSecret();

const ROOT = path.resolve(import.meta.dirname, '..');

function serverActionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : serverActionFiles(full);
    if (!/\.(ts|tsx)$/.test(entry.name) || entry.name.endsWith('.test.ts')) return [];
    return /^\s*(\/\/[^\n]*\n\s*)*['"]use server['"]/.test(fs.readFileSync(full, 'utf8')) ? [full] : [];
  });
}

type Action = (...args: unknown[]) => Promise<unknown>;
const FILES = ['app', 'components', 'lib'].flatMap((dir) => serverActionFiles(path.join(ROOT, dir)));

const EXPORTS: { name: string; value: unknown }[] = [];
for (const file of FILES) {
  const module = (await import(file)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(module)) EXPORTS.push({ name: `${path.relative(ROOT, file)}#${name}`, value });
}
const ACTIONS = EXPORTS.filter((e) => typeof e.value === 'function').map((e) => ({ name: e.name, action: e.value as Action }));

/** Placeholder ids for bound arguments, then (previousState, FormData) for form actions. */
function argumentsFor(action: Action): unknown[] {
  if (action.length >= 2) return [...Array.from({ length: action.length - 2 }, () => 'missing-id'), null, new FormData()];
  return ['missing-id', 'missing-id'];
}

type Outcome = { kind: 'redirect'; to: string } | { kind: 'forbidden-state' } | { kind: 'through'; detail: string };

async function outcomeOf(action: Action): Promise<Outcome> {
  try {
    const result = await action(...argumentsFor(action));
    const state = result as { ok?: boolean; message?: string } | null;
    if (state && state.ok === false && /^Your role does not allow /.test(state.message ?? '')) return { kind: 'forbidden-state' };
    return { kind: 'through', detail: JSON.stringify(result)?.slice(0, 200) ?? 'undefined' };
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT')) return { kind: 'redirect', to: digest.split(';')[2] ?? '' };
    // Anything else (not found, Next's "outside a request" from revalidatePath…) happened after the guard.
    return { kind: 'through', detail: String(error).slice(0, 200) };
  }
}

describe('server action guards', () => {
  let db: Db;
  const cookies = { roleless: '', admin: '' };
  const as = (cookie: string | null) =>
    setActionRequestSource({ db: () => db, headers: async () => new Headers(cookie ? { cookie, 'x-request-id': 'action-test' } : {}) });

  beforeAll(async () => {
    ({ db } = await createTestDatabase());
    const roleless = await db.user.create({ data: { email: 'noroles@test.skyport', name: 'No roles', roles: [] } });
    const admin = await db.user.create({ data: { email: 'admin@test.skyport', name: 'Admin', roles: ['admin', 'approver', 'requester'] } });
    cookies.roleless = await sessionCookie(roleless.id);
    cookies.admin = await sessionCookie(admin.id);
  });
  afterAll(() => setActionRequestSource(null));

  it("finds the server actions; a 'use server' module exports only (async) functions", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
    expect(ACTIONS.length).toBeGreaterThanOrEqual(18);
    for (const { name, value } of EXPORTS) expect(typeof value, name).toBe('function');
  });

  it.each(ACTIONS.map((a) => [a.name, a.action] as const))('%s: anonymous → /signin; no capability → refused; admin → through', async (name, action) => {
    as(null);
    expect(await outcomeOf(action), `${name} anonymous`).toEqual({ kind: 'redirect', to: '/signin' });
    as(cookies.roleless);
    const refused = await outcomeOf(action);
    expect(refused.kind === 'forbidden-state' || (refused.kind === 'redirect' && refused.to === '/forbidden'), `${name} without capability: ${JSON.stringify(refused)}`).toBe(true);
    as(cookies.admin);
    const admin = await outcomeOf(action);
    expect(admin.kind, `${name} admin: ${JSON.stringify(admin)}`).toBe('through');
  });
});
