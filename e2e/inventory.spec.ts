// The inventory in the browser, on the embedded demo's sandbox VMs: filter, sort, page, open a VM,
// claim an unmanaged VM (tags written to the emulator), export the current filter as CSV.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { signInAs, waitForHydration } from './support/helpers';

const rows = (page: Page) => page.getByTestId('vm-row');
const names = async (page: Page) => (await rows(page).locator('td:first-child a').allTextContents()).map((t) => t.trim());
const ids = async (page: Page) => rows(page).locator('td:first-child a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));

test('admin filters, sorts and pages the inventory, opens and claims a VM, and exports CSV', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'admin');
  await page.goto('/inventory');
  await expect(page.getByRole('heading', { level: 1, name: 'Inventory' })).toBeVisible();
  await expect(page.getByTestId('tile-unmanaged')).toBeVisible();
  await expect(rows(page).first()).toBeVisible();

  // Filter by provider: the region list follows it; every row is that provider's.
  await waitForHydration(page, '#f-provider');
  await page.getByLabel('Provider', { exact: true }).selectOption('aws');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/provider=aws/);
  const providerCells = await rows(page).locator('td:nth-child(2)').allTextContents();
  expect(providerCells.length).toBeGreaterThan(0);
  expect(providerCells.every((text) => text.trim() === 'AWS')).toBe(true);

  // Sort by name, descending (the default is ascending): the server returns the reversed order.
  await page.getByRole('columnheader', { name: /Name/ }).getByRole('link').click();
  await expect(page).toHaveURL(/sort=-name/);
  const descending = await names(page);
  expect(descending).toEqual([...descending].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' })));

  // Page through with a small page size: the second page has other VMs.
  await page.goto('/inventory?provider=aws&limit=3');
  const firstPage = await ids(page);
  expect(firstPage).toHaveLength(3);
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page.getByText('Page 2')).toBeVisible();
  const secondPage = await ids(page);
  expect(secondPage.length).toBeGreaterThan(0);
  expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
  await page.getByRole('link', { name: '← Previous' }).click();
  await expect(page.getByText('Page 1')).toBeVisible();
  expect(await ids(page)).toEqual(firstPage);

  // Open an unmanaged VM and claim it into a project.
  await page.goto('/inventory?managed=false&provider=aws');
  const name = (await names(page))[0]!;
  await rows(page).first().locator('td:first-child a').click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('Unmanaged', { exact: true })).toBeVisible();
  await waitForHydration(page, 'form[aria-label="Claim this VM"]');
  await page.getByLabel('Project', { exact: true }).selectOption({ label: 'Web shop' });
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Riley Requester (requester@demo.skyport)' });
  await page.getByRole('button', { name: 'Claim VM' }).click();
  await expect(page).toHaveURL(/done=claimed/, { timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Claimed into Web shop' })).toBeVisible();
  await expect(page.getByText('Managed by Skyport').first()).toBeVisible();
  await expect(page.getByText('skyport-project', { exact: true }).first()).toBeVisible();

  // Export the current filter as CSV: a header row and one line per matching VM.
  await page.goto('/inventory?provider=aws');
  const count = (await page.getByTestId('inventory-count').textContent()) ?? '';
  const total = Number(/of (\d+) VM/.exec(count)?.[1]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Export CSV/ }).click()]);
  const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
  expect(csv[0]).toMatch(/^id,name,provider,account,region/);
  expect(csv).toHaveLength(total + 1);
  expect(csv.slice(1).every((line) => line.split(',')[2] === 'aws')).toBe(true);
});

test('a project owner sees unmanaged VMs read-only and claims one into their project; a plain requester sees none', async ({ page }) => {
  test.setTimeout(90_000);
  // Riley (requester) owns no project: no unmanaged VM anywhere.
  await signInAs(page, 'requester');
  await page.goto('/inventory?managed=false');
  await expect(page.getByTestId('inventory-count')).toHaveText(/No VMs match/);
  await page.context().clearCookies();

  // Avery owns "Web shop": the Unmanaged filter lists VMs made outside Skyport.
  await signInAs(page, 'approver');
  await page.goto('/inventory?managed=false&sort=-cost');
  await expect(rows(page).first()).toBeVisible();
  await expect(page.getByRole('columnheader', { name: /Per month/ })).toBeVisible();
  const name = (await names(page))[0]!;
  await rows(page).first().locator('td:first-child a').click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('unmanaged-read-only')).toBeVisible();
  await waitForHydration(page, 'form[aria-label="Claim this VM"]');
  await page.getByLabel('Project', { exact: true }).selectOption({ label: 'Web shop' });
  await page.getByLabel('Owner', { exact: true }).selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Claim VM' }).click();
  await expect(page).toHaveURL(/done=claimed/, { timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Claimed into Web shop' })).toBeVisible();
  await expect(page.getByTestId('unmanaged-read-only')).toHaveCount(0);
});

test('at 390 px the inventory shows cards instead of a clipped table', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await signInAs(page, 'admin');
  await page.goto('/inventory');
  await expect(page.getByTestId('vm-card').first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
});
