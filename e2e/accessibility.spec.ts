// Accessibility of every portal page with axe-core (WCAG 2.x A/AA rules): no serious or critical
// violation, in the light and the dark theme, and no Content-Security-Policy violation in the console.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/helpers';

const PAGES = [
  '/catalog',
  '/requests',
  '/approvals',
  '/inventory',
  '/costs',
  '/costs/imports',
  '/costs/budgets',
  '/notifications',
  '/profile',
  '/admin',
  '/admin/projects',
  '/admin/users',
  '/admin/provider-accounts',
  '/admin/provider-accounts/new',
  '/admin/policies',
  '/admin/policies/new',
  '/admin/catalog',
  '/admin/catalog/new',
  '/admin/price-book',
  '/admin/jobs',
  '/admin/audit',
];

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every portal page passes axe with no serious or critical violation (${colorScheme})`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(message.text())) cspViolations.push(message.text());
    });
    await signInAs(page, 'admin');
    let rulesChecked = 0;
    for (const path of PAGES) {
      await page.goto(path);
      await expect(page.getByRole('main'), path).toHaveCount(1);
      await expect(page.locator('h1'), path).toHaveCount(1);
      expect(await seriousViolations(page), path).toEqual([]);
      rulesChecked++;
    }
    expect(rulesChecked).toBe(PAGES.length);
    expect(cspViolations).toEqual([]);
  });
}
