// The embedded demo's sandbox accounts work for all four providers in the browser: an admin tests
// each connection and syncs it, and the inventory shows VMs from every provider.
import { expect, test } from '@playwright/test';
import { signInAs, waitForHydration } from './support/helpers';

const SANDBOX_ACCOUNTS = ['Sandbox VMware vSphere', 'Sandbox Amazon EC2', 'Sandbox Microsoft Azure', 'Sandbox Google Compute Engine'];

test('admin tests and syncs every sandbox provider account; inventory lists their VMs', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'admin');
  for (const name of SANDBOX_ACCOUNTS) {
    await page.goto('/admin/provider-accounts');
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
    await waitForHydration(page, '[data-testid="connection-result"]');
    const result = page.getByTestId('connection-result');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Connection works.', { timeout: 30_000 });

    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(result).toContainText(/Synced \d+ VMs?\./, { timeout: 30_000 });
    const synced = Number(/Synced (\d+) VM/.exec((await result.textContent()) ?? '')?.[1]);
    expect(synced).toBeGreaterThan(0);
  }

  await page.goto('/inventory');
  const table = page.getByRole('table');
  for (const provider of ['vSphere', 'AWS', 'Azure', 'Google Cloud']) {
    await expect(table.getByText(provider, { exact: false }).first()).toBeVisible();
  }
});
