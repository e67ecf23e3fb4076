// Provisioning end to end in Chromium: an auto-approved request is provisioned by the in-process
// worker (live progress on the request page, no reload), its VM shows in the inventory, and the
// owner stops and starts it from the VM page.
import { expect, test, type Page } from '@playwright/test';
import { signInAs, waitForHydration } from './support/helpers';

/**
 * Runs an expectation and, when it fails, adds what the API says about the VM (state, its last
 * and pending action with the provider's error, recent jobs) to the failure, so a rare CI failure
 * names its cause instead of only "button not enabled".
 */
async function expectWithVmDiagnostics(page: Page, vmId: string, expectation: () => Promise<void>): Promise<void> {
  try {
    await expectation();
  } catch (error) {
    const [vm, actions] = await Promise.all([page.request.get(`/api/v1/vms/${vmId}`), page.request.get(`/api/v1/vms/${vmId}/actions`)]);
    const detail = `getVm ${vm.status()}: ${(await vm.text()).slice(0, 1500)}\ngetVmActions ${actions.status()}: ${(await actions.text()).slice(0, 3000)}`;
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- VM diagnostics ---\n${detail}`);
  }
}

/** Submits the demo's Linux web server (auto-approved) and returns the request's id from the page it lands on. */
async function submitWebServerRequest(page: Page, justification: string): Promise<string> {
  await page.goto('/catalog');
  await page.getByRole('link', { name: 'Request Linux web server' }).click();
  await waitForHydration(page, 'form button[type="submit"]');
  await expect(page.getByTestId('placement').first()).toBeVisible();
  await page.getByLabel('Environment').selectOption('dev');
  await page.getByLabel('6. Justification').fill(justification);
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page).toHaveURL(/\/requests\/[a-z0-9]+$/);
  return page.url().split('/').pop()!;
}

test.beforeEach(({ page }) => {
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
});

test('an approved request completes, its VM shows in the inventory, and the owner stops and starts it', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, 'requester');
  const requestId = await submitWebServerRequest(page, 'E2E: provisioning');

  // Live progress without a reload, then the request completes.
  await expect(page.getByTestId('request-progress')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('request-status')).toHaveText(/Completed/, { timeout: 120_000 });

  const detail = await page.request.get(`/api/v1/requests/${requestId}`);
  const body = (await detail.json()) as { items: { vmIds: string[] }[] };
  const vmId = body.items[0]!.vmIds[0]!;
  expect(vmId).toBeTruthy();

  await page.goto(`/inventory/${vmId}`);
  const panel = page.getByTestId('vm-actions');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('button', { name: /^Stop/ })).toBeEnabled();
  // While the stop runs, the panel's polls are answered 3 s late (later than the next poll is
  // sent), so some that saw "stopped" are still on their way when Start is clicked: the panel must
  // not go back to what they saw (it once did, and stopped polling while the start ran).
  let startClicked = false;
  await page.route(`**/api/v1/vms/${vmId}/actions`, async (route) => {
    if (route.request().method() !== 'GET' || startClicked) return route.continue();
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await route.fulfill({ response }).catch(() => undefined);
  });
  await panel.getByRole('button', { name: /^Stop/ }).click();
  await expectWithVmDiagnostics(page, vmId, () => expect(panel.getByRole('button', { name: /^Start/ })).toBeEnabled({ timeout: 60_000 }));
  startClicked = true;
  await panel.getByRole('button', { name: /^Start/ }).click();
  await expectWithVmDiagnostics(page, vmId, () => expect(panel.getByRole('button', { name: /^Stop/ })).toBeEnabled({ timeout: 60_000 }));
  await expectWithVmDiagnostics(page, vmId, () => expect(panel).toContainText(/Last action: Start succeeded/));

  // At 390 px the VM page (its jobs and history tables scroll inside their frames) fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByRole('table', { name: 'Jobs on this VM' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
});

test('the admin jobs page lists jobs by status with filters in the URL, also at 390 px', async ({ page }) => {
  await signInAs(page, 'admin');
  await page.goto('/admin/jobs?status=succeeded');
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  await expect(page.getByRole('link', { name: /succeeded/ })).toHaveAttribute('aria-current', 'page');
  // The previous test's create, stop and start jobs succeeded.
  await expect(page.getByRole('table', { name: 'Jobs' })).toContainText('create vm');
  await page.getByLabel('Kind').selectOption('stop_vm');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=stop_vm/);
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(page.getByRole('table', { name: 'Jobs' })).toContainText('stop vm');
  await expect(page.getByRole('table', { name: 'graphile-worker queue by task' }).or(page.getByText('The queue is empty.'))).toBeVisible();

  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/admin/jobs');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
});

test('a request that completes before the page’s first poll still shows Completed without a reload', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, 'requester');
  // Every poll of the request is held until the API says the work is done: the page was rendered
  // while it ran, and the first answer it sees is final (this once left "Provisioning" on screen).
  await page.route(/\/api\/v1\/requests\/[a-z0-9]+$/, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const url = route.request().url();
    for (let i = 0; i < 120; i++) {
      const status = ((await (await page.request.get(url)).json()) as { status: string }).status;
      if (status === 'completed' || status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await route.continue().catch(() => undefined);
  });
  await submitWebServerRequest(page, 'E2E: provisioning finishes before the first poll');
  await expect(page.getByTestId('request-status')).toHaveText(/Approved|Provisioning/);
  await expect(page.getByTestId('request-status')).toHaveText('Completed', { timeout: 150_000 });
  await expect(page.getByTestId('timeline')).toContainText(/completed/i);
});
