// Billing in the browser: an admin uploads a FOCUS file and follows its progress, sees the totals
// by provider and the daily trend (chart and table view), drills down from a pivot cell to the line
// items and on to the VM; a requester cannot see costs of projects that are not theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { queryPortalDatabase, signInAs, waitForHydration } from './support/helpers';

const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
const iso = (d: Date) => d.toISOString();
const day = (d: Date) => d.toISOString().slice(0, 10);
const at = (hours: number) => new Date(monthStart.getTime() + hours * 3_600_000);
const range = `start=${day(monthStart)}&end=${day(nextMonth)}`;

function focusFile(resourceId: string): string {
  const header = 'BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,BilledCost,EffectiveCost,BillingCurrency,ProviderName,ServiceName,ResourceId,Tags';
  const row = (provider: string, hours: number, cost: string, resource: string) =>
    ['E2E-ACCOUNT', iso(monthStart), iso(nextMonth), iso(at(hours)), iso(at(hours + 1)), 'Usage', cost, cost, 'USD', provider, 'Compute', resource, '"{""env"": ""e2e""}"'].join(',');
  return [header, row('E2E Cloud A', 0, '12.34', resourceId), row('E2E Cloud A', 25, '0.66', resourceId), row('E2E Cloud B', 2, '7.5', 'disk-e2e')].join('\n');
}

/** Signs in as the admin, uploads `file` on /costs/imports and polls the import to 'succeeded' within `timeout` ms. */
async function uploadAsAdmin(page: Page, file: string, timeout: number): Promise<void> {
  await signInAs(page, 'admin');
  await page.goto('/costs/imports');
  await waitForHydration(page, 'form[aria-label="Upload a cost file"]');
  await page.getByLabel(/FOCUS file/).setInputFiles(file);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-state')).toHaveText('succeeded', { timeout });
}

test('admin uploads a FOCUS file, sees totals by provider and the trend chart, and drills down to a VM', async ({ page }) => {
  test.setTimeout(120_000);
  const vms = await queryPortalDatabase<{ id: string; name: string; providerId: string }>(
    `SELECT "id", "name", "providerId" FROM "Vm" WHERE "deletedAt" IS NULL ORDER BY "name" LIMIT 1`,
    [],
  );
  // The sandbox accounts always bring VMs: an empty inventory is a failure, not a reason to skip.
  expect(vms?.length ?? 0, 'inventory VMs in the portal database').toBeGreaterThan(0);
  const vm = vms![0]!;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-e2e-')), 'focus-e2e.csv');
  fs.writeFileSync(file, focusFile(vm.providerId));

  await uploadAsAdmin(page, file, 60_000);
  await expect(page.getByTestId('import-status')).toContainText('3 rows imported');

  await page.goto(`/costs?${range}`);
  const totals = page.getByTestId('provider-totals');
  await expect(totals).toContainText('E2E Cloud A');
  await expect(totals.getByRole('listitem').filter({ hasText: 'E2E Cloud A' })).toContainText('$13.00');
  await expect(totals.getByRole('listitem').filter({ hasText: 'E2E Cloud B' })).toContainText('$7.50');
  await expect(page.getByTestId('cost-trend-chart').locator('svg').first()).toBeVisible();
  await page.getByText('Table view of the daily trend').click();
  await expect(page.getByRole('table', { name: /Daily effective cost/ })).toBeVisible();

  // Pivot by resource within E2E Cloud A, then open the line items of the VM and the VM itself.
  await page.goto(`/costs?${range}&provider=${encodeURIComponent('E2E Cloud A')}&groupBy=resource`);
  await page.getByRole('link', { name: `Line items of ${vm.name}` }).click();
  await expect(page).toHaveURL(/items=1/);
  const items = page.getByTestId('line-items');
  await expect(items.getByRole('row')).toHaveCount(2);
  await items.getByRole('link', { name: vm.name }).first().click();
  await expect(page).toHaveURL(new RegExp(`/inventory/${vm.id}`));
  await expect(page.getByRole('heading', { level: 1, name: vm.name })).toBeVisible();

  // The explorer at phone width, both themes, passes axe without serious violations.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(`/costs?${range}&groupBy=provider&pivot=service`);
    // Wide tables scroll inside their own container; the page content itself never overflows.
    expect(await page.locator('main').evaluate((m) => m.scrollWidth - m.clientWidth)).toBeLessThanOrEqual(1);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  }
});

test('an upload larger than Next’s 10 MB proxy buffer arrives whole and imports', async ({ page }) => {
  test.setTimeout(180_000);
  // ~14 MB, 50,000 rows of one account-month: the body must reach importCosts' streaming reader uncut.
  const header = 'BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,BilledCost,EffectiveCost,BillingCurrency,ProviderName,ServiceName,ResourceId,Tags';
  const rows = Array.from({ length: 50_000 }, (_, i) =>
    ['E2E-LARGE', iso(monthStart), iso(nextMonth), iso(at(i % 600)), iso(at((i % 600) + 1)), 'Usage', '0.01', '0.01', 'USD', 'E2E Large Cloud', 'Compute', `large-${i % 997}`, `"{""env"": ""e2e"", ""padding"": ""${'x'.repeat(120)}""}"`].join(','),
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-e2e-')), 'focus-large.csv');
  fs.writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
  expect(fs.statSync(file).size).toBeGreaterThan(12 * 1024 * 1024);

  await uploadAsAdmin(page, file, 150_000);
  await expect(page.getByTestId('import-status')).toContainText('50,000 rows imported');
});

test('a requester cannot see other projects’ costs', async ({ page }) => {
  await signInAs(page, 'requester');
  const response = await page.goto('/costs');
  expect(response?.status()).toBe(403);
  const summary = await page.request.get(`/api/v1/costs/summary?${range}`);
  expect(summary.status()).toBe(200);
  expect((await summary.json()) as { totals: unknown[] }).toMatchObject({ totals: [] });
  const projects = await queryPortalDatabase<{ id: string }>(`SELECT "id" FROM "Project" WHERE "key" = 'web-shop'`, []);
  if (projects?.length) {
    const foreign = await page.request.get(`/api/v1/costs/breakdown?${range}&projectId=${projects[0]!.id}`);
    expect(foreign.status()).toBe(403);
  }
  expect((await page.request.get('/api/v1/budgets?projectId=x')).status()).toBe(403);
});
