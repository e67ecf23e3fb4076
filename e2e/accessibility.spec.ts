// Structural accessibility of every portal page: one main landmark, one h1, every form control and
// button with an accessible name, images with alt text, tables with headers.
import { expect, test } from '@playwright/test';
import { signInAs } from './support/helpers';

const PAGES = [
  '/catalog',
  '/requests',
  '/approvals',
  '/inventory',
  '/costs',
  '/profile',
  '/admin',
  '/admin/projects',
  '/admin/users',
  '/admin/provider-accounts',
  '/admin/provider-accounts/new',
  '/admin/policies',
  '/admin/price-book',
  '/admin/audit',
];

test('every portal page has landmarks, one h1 and named controls', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'admin');
  let controlsChecked = 0;
  for (const path of PAGES) {
    await page.goto(path);
    await expect(page.getByRole('main'), path).toHaveCount(1);
    await expect(page.getByRole('navigation', { name: 'Main' }), path).toHaveCount(1);
    await expect(page.locator('h1'), path).toHaveCount(1);
    const { issues: problems, controls } = await page.evaluate(() => {
      const issues: string[] = [];
      const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
      for (const control of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
        const id = control.id;
        const labelled =
          (id && document.querySelector(`label[for="${CSS.escape(id)}"]`)) ||
          control.closest('label') ||
          control.getAttribute('aria-label') ||
          control.getAttribute('aria-labelledby');
        if (!labelled) issues.push(`unlabelled ${describe(control)}`);
      }
      for (const button of document.querySelectorAll('button, a[href]')) {
        const name = (button.textContent ?? '').trim() || button.getAttribute('aria-label') || button.getAttribute('title');
        if (!name) issues.push(`unnamed ${describe(button)}`);
      }
      for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) issues.push(`img without alt ${img.src}`);
      for (const table of document.querySelectorAll('table')) if (!table.querySelector('th')) issues.push('table without headers');
      return { issues, controls: document.querySelectorAll('input:not([type=hidden]), select, textarea, button').length };
    });
    expect(problems, path).toEqual([]);
    controlsChecked += controls;
  }
  // The pages carry real forms (search, filters, create forms): the check above is not vacuous.
  expect(controlsChecked).toBeGreaterThan(40);
});
