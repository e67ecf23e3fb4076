// Requester flow in Chromium: pick a template, see every placement with its monthly estimate (the
// cheapest marked), the quota and budget after the request and the policy that will apply; submit a
// small request (auto-approved) and a large one (waits for the project owner); save a draft and
// cancel it; a request over the quota is refused before anything is saved. (The approver's side —
// inbox, decision, notification — is in governance's spec.)
import { expect, test, type Page } from '@playwright/test';
import { signInAs, waitForHydration } from './support/helpers';

// Diagnostics in the test output: any API error body and any uncaught page error.
test.beforeEach(({ page }) => {
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  page.on('response', (response) => {
    if (response.url().includes('/api/v1/') && response.status() >= 400 && response.status() !== 409) {
      void response.text().then((body) => console.log(`[api ${response.status()}] ${response.url()} ${body.slice(0, 300)}`), () => undefined);
    }
  });
});

async function openRequestForm(page: Page, templateName: string) {
  await page.goto('/catalog');
  await page.getByRole('link', { name: `Request ${templateName}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Request: ${templateName}` })).toBeVisible();
  await waitForHydration(page, 'form button[type="submit"]');
  // Placements arrive from estimatePlacements: side by side, one marked cheapest.
  await expect(page.getByTestId('placement').first()).toBeVisible();
  await expect(page.getByTestId('placement').filter({ hasText: 'Cheapest' })).not.toHaveCount(0);
}

async function chooseEnvironment(page: Page, value: string) {
  await page.getByLabel('Environment').selectOption(value);
}

test('a small request shows estimate, quota, budget and policy, and is auto-approved', async ({ page }) => {
  await signInAs(page, 'requester');
  await openRequestForm(page, 'Linux web server');
  const placements = page.getByTestId('placement');
  expect(await placements.count()).toBeGreaterThan(1);
  await expect(placements.first()).toContainText(/\$\d/);

  await expect(page.getByTestId('quota')).toContainText('VMs (all providers)');
  await expect(page.getByTestId('budget')).toContainText('Committed');
  await expect(page.getByTestId('policy')).toContainText('Auto-approved');
  const total = await page.getByTestId('estimate-total').textContent();

  // Changing the count updates the estimate live.
  await page.getByLabel('4. Number of VMs').fill('2');
  await expect(page.getByTestId('estimate-total')).not.toHaveText(total ?? '');
  await page.getByLabel('4. Number of VMs').fill('1');

  await chooseEnvironment(page, 'dev');
  await page.getByLabel('6. Justification').fill('E2E: small web server');
  await page.getByRole('button', { name: 'Submit request' }).click();

  await expect(page).toHaveURL(/\/requests\/[a-z0-9]+$/);
  await expect(page.getByTestId('request-status')).toHaveText(/Approved|Provisioning|Completed/);
  await expect(page.getByTestId('timeline')).toContainText('auto approved');
  await expect(page.getByText('Auto-approve small requests').first()).toBeVisible();
});

test('a large request waits for the project owner, with the chain and the reason on the request page', async ({ page }) => {
  await signInAs(page, 'requester');
  await openRequestForm(page, 'Linux application server');
  await page.getByRole('radio', { name: /Large/ }).check({ force: true });
  await expect(page.getByTestId('policy')).toContainText('Needs approval');
  await expect(page.getByTestId('policy')).toContainText(/needs approval by .*project owner/i);
  await chooseEnvironment(page, 'prod');
  await page.getByLabel('6. Justification').fill('E2E: large app server');
  await page.getByRole('button', { name: 'Submit request' }).click();

  await expect(page).toHaveURL(/\/requests\/[a-z0-9]+$/);
  await expect(page.getByTestId('request-status')).toHaveText('Pending approval');
  const chain = page.getByRole('region', { name: 'Approval chain' });
  await expect(chain).toContainText('Project owner');
  await expect(chain).toContainText('pending');
  await expect(page.getByTestId('timeline')).toContainText('submitted');

  // It is listed under My requests, filterable by status.
  await page.goto('/requests?status=pending_approval');
  await expect(page.getByRole('table')).toContainText('Linux application server');
});

test('save as draft, then cancel it; a request over the quota is refused with the quota named', async ({ page }) => {
  await signInAs(page, 'requester');
  await openRequestForm(page, 'Linux web server');
  await chooseEnvironment(page, 'dev');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/requests\/[a-z0-9]+$/);
  await expect(page.getByTestId('request-status')).toHaveText('Draft');
  await waitForHydration(page, '[data-testid="request-actions"] button');
  await page.getByRole('button', { name: 'Cancel request' }).click();
  await page.getByRole('button', { name: 'Yes, cancel the request' }).click();
  await expect(page.getByTestId('request-status')).toHaveText('Cancelled');
  await expect(page.getByTestId('timeline')).toContainText('cancelled');

  await openRequestForm(page, 'Linux web server');
  await chooseEnvironment(page, 'dev');
  await page.getByLabel('4. Number of VMs').fill('25');
  await expect(page.getByTestId('policy')).toContainText('Will be rejected');
  await expect(page.getByTestId('placement').first()).toContainText('Over the project quota');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Quota exceeded');
  await expect(page).toHaveURL(/\/catalog\//);
});

test('the request form and My requests fit a 390 px wide screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, 'requester');
  for (const path of ['/catalog/linux-web-small', '/requests']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(1);
  }
});
