import { expect, test } from '@playwright/test';
import { DEMO, EXPECTED_NAVIGATION, mainNavigation, signInAs, signInWithPassword, type DemoRole } from './support/helpers';

for (const role of Object.keys(EXPECTED_NAVIGATION) as DemoRole[]) {
  test(`${role} signs in with a password and sees exactly their navigation`, async ({ page }) => {
    await signInAs(page, role);
    const links = mainNavigation(page).getByRole('link');
    await expect(links).toHaveText(EXPECTED_NAVIGATION[role]);
    await expect(page.getByTestId('user-roles')).toContainText(role);

    // Every entry opens its page (no 403, no error page).
    for (const label of EXPECTED_NAVIGATION[role]) {
      await mainNavigation(page).getByRole('link', { name: label, exact: true }).click();
      await expect(mainNavigation(page).getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(/forbidden|not found|error/i);
    }
  });
}

test('the navigation works with the keyboard alone', async ({ page }) => {
  await signInAs(page, 'approver');
  await page.locator('body').focus();

  // The first stop is the skip link, which moves focus to the main content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  // Tab on to "Approvals" and open it with Enter.
  const approvals = mainNavigation(page).getByRole('link', { name: 'Approvals', exact: true });
  for (let i = 0; i < 15 && !(await approvals.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(approvals).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/approvals$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
  await expect(approvals).toHaveAttribute('aria-current', 'page');
});

test('a requester gets the 403 page, inside the shell, for every role-gated page', async ({ page }) => {
  await signInAs(page, 'requester');
  for (const path of ['/costs', '/approvals', '/admin', '/admin/projects', '/admin/users', '/admin/provider-accounts', '/admin/policies', '/admin/price-book', '/admin/audit']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(/not allowed|forbidden|access/i);
    await expect(page.getByRole('navigation', { name: 'Main' }), path).toBeVisible();
  }
  await page.goto('/costs');
  await page.getByRole('link', { name: /home|catalog/i }).first().click();
  await expect(page).toHaveURL(/\/catalog$/);
});

test('sign-out returns to the sign-in page and protected pages redirect there', async ({ page }) => {
  await signInAs(page, 'admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole('heading', { name: 'Sign in to Skyport' })).toBeVisible();

  for (const path of ['/catalog', '/requests', '/inventory', '/costs', '/admin/price-book']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
  }
});

test('a wrong password shows an error and keeps the user signed out', async ({ page }) => {
  await signInWithPassword(page, DEMO.requester, 'not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto('/catalog');
  await expect(page).toHaveURL(/\/signin/);
});

test('unknown pages show the not-found page with a way back', async ({ page }) => {
  await signInAs(page, 'requester');
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/not found/i);
  await expect(page.getByRole('link', { name: /catalog|home/i }).first()).toBeVisible();
});
