// Approver side of a request in Chromium (governance): a large request appears in the project
// owner's inbox with its full context, is approved (and, above $1,000/month, approved again by an
// administrator), and the requester sees the approval on the timeline and in the notification bell.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signInAs, waitForHydration, type DemoRole } from './support/helpers';

async function asUser(browser: Browser, role: DemoRole): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, role);
  return page;
}

async function approveInInbox(page: Page, number: number): Promise<string> {
  await page.goto(`/approvals?q=REQ-${number}`);
  const item = page.getByTestId('approval-item').filter({ hasText: `REQ-${number}` });
  await expect(item).toHaveCount(1);
  await waitForHydration(page, '[data-testid="approval-item"] form button[type="submit"]');
  await item.getByLabel('Comment').fill('Fine for the launch (e2e).');
  await item.getByRole('button', { name: `Approve REQ-${number}` }).click();
  const status = item.getByRole('status');
  await expect(status).toContainText(/Approved/);
  return (await status.textContent()) ?? '';
}

test('a large request is approved from the inbox; the requester sees the timeline and a notification', async ({ browser }) => {
  // Requester: a large application server in the Web shop project (owner: the demo approver).
  const requester = await asUser(browser, 'requester');
  await requester.goto('/catalog');
  await requester.getByRole('link', { name: 'Request Linux application server' }).click();
  await waitForHydration(requester, 'form button[type="submit"]');
  await expect(requester.getByTestId('placement').first()).toBeVisible();
  await requester.getByRole('radio', { name: /Large/ }).check({ force: true });
  await requester.getByLabel('2. Project').selectOption({ label: 'Web shop (web-shop)' });
  await expect(requester.getByTestId('policy')).toContainText(/needs approval/i);
  await requester.getByLabel('Environment').selectOption('prod');
  await requester.getByLabel('6. Justification').fill('E2E approvals: large app server');
  await requester.getByRole('button', { name: 'Submit request' }).click();
  await expect(requester).toHaveURL(/\/requests\/[a-z0-9]+$/);
  await expect(requester.getByTestId('request-status')).toHaveText('Pending approval');
  const requestId = new URL(requester.url()).pathname.split('/').pop()!;
  const detail = (await (await requester.request.get(`/api/v1/requests/${requestId}`)).json()) as { number: number };
  const number = detail.number;

  // Approver (project owner): the bell counts it, the inbox shows its whole context.
  const approver = await asUser(browser, 'approver');
  await expect(approver.getByTestId('notification-count')).toBeVisible();
  await approver.goto(`/approvals?q=REQ-${number}`);
  const item = approver.getByTestId('approval-item').filter({ hasText: `REQ-${number}` });
  await expect(item).toContainText('Riley Requester');
  await expect(item).toContainText('Web shop');
  await expect(item).toContainText('Linux application server');
  await expect(item).toContainText(/size large/i);
  await expect(item).toContainText('Placement');
  await expect(item).toContainText('Quota after');
  await expect(item).toContainText('Budget after');
  await expect(item).toContainText(/requires approval/);
  await expect(item).toContainText('E2E approvals: large app server');
  // A rejection without a comment is refused next to the field.
  await waitForHydration(approver, '[data-testid="approval-item"] form button[type="submit"]');
  await item.getByRole('button', { name: `Reject REQ-${number}` }).click();
  await expect(item).toContainText('Say why you reject the request');

  const message = await approveInInbox(approver, number);
  if (/next approval level/.test(message)) {
    // Over $1,000/month: cloud governance (an administrator) decides next.
    const admin = await asUser(browser, 'admin');
    await approveInInbox(admin, number);
  }

  // Requester: the timeline shows the decision, the bell the notification.
  await requester.goto(`/requests/${requestId}`);
  await expect(requester.getByTestId('request-status')).toHaveText(/Approved|Provisioning|Completed|Failed/);
  await expect(requester.getByTestId('timeline')).toContainText(/step approved/i);
  await waitForHydration(requester, '[data-testid="notification-bell"]');
  await requester.getByTestId('notification-bell').click();
  await expect(requester.getByRole('region', { name: 'Notifications' })).toContainText(`REQ-${number} was approved`);
  await requester.goto('/notifications');
  await expect(requester.getByTestId('notification').filter({ hasText: `REQ-${number} was approved` })).toHaveCount(1);
});

test('the approvals inbox, notifications and policies pages fit a 390 px wide screen', async ({ browser }) => {
  const admin = await asUser(browser, 'admin');
  await admin.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/approvals', '/notifications', '/admin/policies', '/admin/policies/new']) {
    await admin.goto(path);
    await expect(admin.getByRole('heading', { level: 1 })).toBeVisible();
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(1);
  }
});
