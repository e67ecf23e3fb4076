// `npm run screenshots`: pictures of the portal for the README and docs/screenshots/ (not a test:
// it rewrites tracked images). Starts the portal like the e2e suite does.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signInAs } from '../../e2e/support/helpers';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

test('catalog for the README (admin, 1280x800)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, 'admin');
  await expect(page.getByRole('list', { name: 'Templates' }).getByRole('listitem').first()).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(ROOT, 'public', 'screenshot-catalog.png') });
});
