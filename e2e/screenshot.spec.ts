import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signInAs } from './support/helpers';

test.use({ viewport: { width: 1280, height: 800 } });

test('catalog screenshot for the README (admin, 1280x800)', async ({ page }) => {
  await signInAs(page, 'admin');
  await expect(page.getByRole('list', { name: 'Templates' }).getByRole('listitem').first()).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.resolve(import.meta.dirname, '..', 'public', 'screenshot-catalog.png') });
});
