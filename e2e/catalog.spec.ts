// Catalog management and the price book in the browser: an admin creates a template (a bad one
// first: field errors, nothing saved), edits it into version 2 with the diff in the history,
// archives and restores it; imports prices (a bad file lists row errors and imports nothing) and
// edits a rate inline. The admin pages pass axe and work at 390 px.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { signInAs, waitForHydration } from './support/helpers';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('admin creates, versions, archives and restores a template', async ({ page }) => {
  test.setTimeout(120_000);
  const slug = `e2e-web-${Date.now().toString(36)}`;
  await signInAs(page, 'admin');
  await page.goto('/admin/catalog');
  await expect(page.getByRole('link', { name: 'Linux web server' })).toBeVisible();
  await page.getByRole('link', { name: 'New template' }).click();
  await waitForHydration(page, 'form[aria-label="New template"]');

  const form = page.getByRole('form', { name: 'New template' });
  await form.getByLabel('Slug').fill(slug);
  await form.getByLabel('Name', { exact: true }).fill('E2E web server');
  await form.getByLabel('Operating system').fill('Ubuntu');
  // No mapping yet: the server refuses with a message and saves nothing.
  await form.getByRole('button', { name: 'Create template' }).click();
  await expect(form.getByRole('status')).toContainText('Please correct the highlighted fields.');
  await expect(form.getByText('Map the template to at least one provider.')).toBeVisible();

  await form.getByRole('button', { name: 'Add mapping' }).click();
  await form.getByLabel('Image', { exact: true }).fill('ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115');
  await form.getByLabel('Provider', { exact: true }).selectOption('aws');
  await form.getByLabel('Small', { exact: true }).fill('t3.medium');
  await form.getByRole('button', { name: 'Add parameter' }).click();
  await form.getByLabel('Name', { exact: true }).nth(1).fill('environment');
  await form.getByLabel('Label', { exact: true }).fill('Environment');
  await form.getByLabel('Type', { exact: true }).selectOption('enum');
  await form.getByLabel('Options (comma-separated)').fill('dev, test, prod');
  await form.getByRole('button', { name: 'Create template' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'E2E web server' })).toBeVisible();
  await expect(page.getByText(`${slug} · version 1`)).toBeVisible();
  const edit = page.getByRole('form', { name: 'Edit template' });
  await waitForHydration(page, 'form[aria-label="Edit template"]');
  await edit.getByLabel('Description', { exact: true }).fill('Now with a description');
  await edit.getByLabel('What changed').fill('Describe it');
  await edit.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(page.getByText(`${slug} · version 2`)).toBeVisible();
  const history = page.getByRole('region', { name: 'Version history' });
  await expect(history.getByText('Describe it')).toBeVisible();
  await expect(history.getByRole('list', { name: 'Changes in version 2' })).toContainText('description');

  await waitForHydration(page, 'aside form button');
  await page.getByRole('button', { name: 'Archive template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Template archived' })).toBeVisible();
  await page.goto('/catalog');
  await expect(page.getByRole('heading', { name: 'E2E web server' })).toHaveCount(0);
  await page.goto(`/admin/catalog?status=archived&q=${slug}`);
  await page.getByRole('link', { name: 'E2E web server' }).click();
  await waitForHydration(page, 'aside form button');
  await page.getByRole('button', { name: 'Restore to catalog' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Template restored' })).toBeVisible();
  await page.goto('/catalog');
  await expect(page.getByRole('heading', { name: 'E2E web server' })).toBeVisible();
  // Demo templates show their sizes with a "from" price each.
  await expect(page.getByRole('list', { name: 'Sizes of Linux web server' }).getByRole('listitem')).toHaveCount(3);
});

test('price book: a bad CSV lists row errors and imports nothing; a good one imports; rates edit inline', async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, 'admin');
  await page.goto('/admin/price-book');
  await expect(page.getByRole('heading', { name: 'vSphere rate card' })).toBeVisible();
  await waitForHydration(page, 'form[aria-label="Import prices from CSV"]');
  const importForm = page.getByRole('form', { name: 'Import prices from CSV' });
  await importForm.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('provider,region,sku,unit,unitPrice\naws,*,t3.large,hour,0.0832\noracle,*,x,hour,1\naws,*,m5.large,day,-1\n') });
  await importForm.getByRole('button', { name: 'Import' }).click();
  const errors = importForm.getByRole('table');
  await expect(errors).toContainText('Nothing was imported');
  await expect(errors.getByRole('row')).toHaveCount(1 + 3);
  await expect(errors).toContainText('oracle');
  await page.goto('/admin/price-book?q=t3.large');
  await expect(page.getByText('No rates match.')).toBeVisible();

  await page.goto('/admin/price-book');
  await waitForHydration(page, 'form[aria-label="Import prices from CSV"]');
  await page.getByRole('form', { name: 'Import prices from CSV' }).getByLabel('CSV file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from('provider,sku,unitPrice\naws,t3.large,0.0832\n') });
  await page.getByRole('form', { name: 'Import prices from CSV' }).getByRole('button', { name: 'Import' }).click();
  await expect(page.getByText('Imported 1 rates: 1 new, 0 changed.')).toBeVisible();

  await page.goto('/admin/price-book?q=t3.large');
  const row = page.getByRole('row').filter({ hasText: 't3.large' });
  await expect(row).toContainText('2 vCPU · 8 GiB');
  await waitForHydration(page, 'td form input[name="unitPrice"]');
  await row.getByLabel(/Unit price of AWS t3.large/).fill('0.09');
  await row.getByRole('button', { name: /Save price of AWS t3.large/ }).click();
  await expect(row.getByRole('status')).toHaveText(/Saved: 0\.09/);
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 't3.large' }).getByLabel(/Unit price of AWS t3.large/)).toHaveValue('0.09');
  await expect(page.getByRole('row').filter({ hasText: 't3.large' })).toContainText('$65.70');
});

// Light theme only: in the dark theme the shared palette's slate-500 and brand-700 (Breadcrumb, field
// hints, links on every admin page) fail colour contrast app-wide; that belongs to the theme, and
// e2e/accessibility.spec.ts checks both themes.
test('catalog admin pages pass axe and fit 390 px', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'admin');
  await page.goto('/admin/catalog');
  const templateHref = await page.getByRole('link', { name: 'Linux web server' }).getAttribute('href');
  for (const path of ['/admin/catalog', '/admin/catalog/new', templateHref!, '/admin/price-book']) {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(path);
    await expect(page.locator('h1'), path).toHaveCount(1);
    expect(await seriousViolations(page), path).toEqual([]);
    await page.setViewportSize({ width: 390, height: 800 });
    // The page itself never scrolls sideways; wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
  }
});
