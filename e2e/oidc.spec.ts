import { expect, test } from '@playwright/test';
import { mainNavigation, queryPortalDatabase, waitForHydration } from './support/helpers';
import { OIDC_ACCOUNTS } from './support/oidc-provider';

test('OIDC sign-in: log in at the provider, land signed in with the mapped admin role', async ({ page }) => {
  // The provider's development login page imports a web font; no internet here.
  await page.route(/fonts\.googleapis\.com/, (route) => route.abort());
  const account = OIDC_ACCOUNTS['oidc-admin']!;
  const issuer = process.env.E2E_OIDC_ISSUER;
  expect(issuer, 'global setup starts the OIDC provider').toBeTruthy();

  await page.goto('/signin');
  await waitForHydration(page, 'form[aria-label="Sign in with e-mail and password"]');
  await page.getByRole('button', { name: 'Continue with Test IdP' }).click();

  // The provider's login form.
  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`));
  await page.locator('input[name="login"]').fill('oidc-admin');
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();

  // Consent for the portal client.
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Catalog' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(account.name);
  await expect(page.getByTestId('user-roles')).toContainText('admin');
  await expect(mainNavigation(page).getByRole('link', { name: 'Admin', exact: true })).toBeVisible();
  await expect(mainNavigation(page).getByRole('link', { name: 'Costs', exact: true })).toBeVisible();

  // The user was created just in time, linked to the provider identity, with the mapped role.
  const rows = await queryPortalDatabase<{ roles: string[]; oidcIssuer: string; oidcSubject: string; passwordHash: string | null }>(
    'SELECT roles::text[] AS roles, "oidcIssuer", "oidcSubject", "passwordHash" FROM "User" WHERE email = $1',
    [account.email],
  );
  if (rows) {
    expect(rows).toHaveLength(1);
    expect(rows[0]!.roles).toEqual(expect.arrayContaining(['requester', 'admin']));
    expect(rows[0]!.oidcIssuer).toBe(issuer);
    expect(rows[0]!.oidcSubject).toBe('oidc-admin');
    expect(rows[0]!.passwordHash).toBeNull();
  }

  // An admin page opens for the OIDC user.
  await page.goto('/admin/price-book');
  await expect(page.getByRole('heading', { level: 1, name: 'Price book' })).toBeVisible();
});
