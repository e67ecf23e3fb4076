// Shared steps for the browser tests.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import pg from 'pg';

export const DEMO_PASSWORD = 'skyport-demo';

export const DEMO = {
  requester: 'requester@demo.skyport',
  approver: 'approver@demo.skyport',
  admin: 'admin@demo.skyport',
} as const;

export type DemoRole = keyof typeof DEMO;

/** Main navigation each role must see, in order (lib/auth/permissions.ts NAVIGATION). */
export const EXPECTED_NAVIGATION: Record<DemoRole, string[]> = {
  requester: ['Catalog', 'My requests', 'Inventory'],
  approver: ['Catalog', 'My requests', 'Approvals', 'Inventory'],
  admin: ['Catalog', 'My requests', 'Approvals', 'Inventory', 'Costs', 'Admin'],
};

/**
 * Wait until React has hydrated the element matched by `selector` (its event handlers are attached),
 * so a click is handled by the app rather than by a native form submission.
 */
export async function waitForHydration(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((sel) => {
    const element = document.querySelector(sel);
    return !!element && Object.keys(element).some((key) => key.startsWith('__reactProps$'));
  }, selector);
}

export async function signInWithPassword(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/signin');
  await waitForHydration(page, 'form[aria-label="Sign in with e-mail and password"]');
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function signInAs(page: Page, role: DemoRole): Promise<void> {
  await signInWithPassword(page, DEMO[role]);
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Catalog' })).toBeVisible();
}

export function mainNavigation(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** The portal's database, when global setup started the portal (or E2E_DATA_DIR/E2E_PG_PORT are set). */
export function portalDatabaseUrl(): string | null {
  const dataDir = process.env.E2E_DATA_DIR;
  const port = process.env.E2E_PG_PORT;
  if (!dataDir || !port) return null;
  const password = fs.readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/skyport`;
}

export async function queryPortalDatabase<T extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<T[] | null> {
  const url = portalDatabaseUrl();
  if (!url) return null;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
