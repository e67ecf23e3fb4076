// A day-2 action gated by a policy, in Chromium: the requester resizes their VM to the demo's
// "Large resizes need approval" threshold (4 vCPU or more; the emulators offer up to 8), the VM page shows it awaiting approval, the
// project owner approves it in /approvals, and the VM page then shows the new size.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signInAs, waitForHydration, type DemoRole } from './support/helpers';

async function asUser(browser: Browser, role: DemoRole): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  await signInAs(page, role);
  return page;
}

test('a resize to the threshold waits for approval, is approved in the inbox, and the VM shows the new size', async ({ browser }) => {
  test.setTimeout(300_000);
  const requester = await asUser(browser, 'requester');
  await requester.goto('/catalog');
  await requester.getByRole('link', { name: 'Request Linux web server' }).click();
  await waitForHydration(requester, 'form button[type="submit"]');
  await expect(requester.getByTestId('placement').first()).toBeVisible();
  await requester.getByLabel('2. Project').selectOption({ label: 'Web shop (web-shop)' });
  await requester.getByLabel('Environment').selectOption('dev');
  await requester.getByLabel('6. Justification').fill('E2E: gated resize');
  await requester.getByRole('button', { name: 'Submit request' }).click();
  await expect(requester).toHaveURL(/\/requests\/[a-z0-9]+$/);
  await expect(requester.getByTestId('request-status')).toHaveText(/Completed/, { timeout: 150_000 });
  const requestId = new URL(requester.url()).pathname.split('/').pop()!;
  const detail = (await (await requester.request.get(`/api/v1/requests/${requestId}`)).json()) as { items: { vmIds: string[] }[] };
  const vmId = detail.items[0]!.vmIds[0]!;

  await requester.goto(`/inventory/${vmId}`);
  const panel = requester.getByTestId('vm-actions');
  await waitForHydration(requester, '[data-testid="vm-actions"] button');
  await panel.getByRole('button', { name: 'Resize…' }).click();
  const select = panel.getByLabel('New size');
  await expect(select).toBeVisible();
  // The first size with 4 vCPU or more (option text: "<size> · <n> vCPU · …").
  const options = await select.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const big = options.find((o) => Number(/· (\d+) vCPU/.exec(o.text)?.[1] ?? 0) >= 4 && !o.text.includes('(current)'));
  expect(big, 'the emulator offers a size with 4 vCPU or more').toBeTruthy();
  await select.selectOption(big!.value);
  await panel.getByRole('button', { name: 'Resize', exact: true }).click();
  const waiting = panel.getByTestId('vm-pending-approvals');
  await expect(waiting).toContainText(/Awaiting approval: REQ-\d+/);
  await expect(waiting).toContainText(big!.value);
  const number = Number(/REQ-(\d+)/.exec((await waiting.textContent()) ?? '')![1]);

  // The project owner approves it from the inbox, seeing the VM, old → new size and the price.
  const approver = await asUser(browser, 'approver');
  await approver.goto(`/approvals?q=REQ-${number}`);
  const item = approver.getByTestId('approval-item').filter({ hasText: `REQ-${number}` });
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('approval-vm-action')).toContainText(big!.value);
  await waitForHydration(approver, '[data-testid="approval-item"] form button[type="submit"]');
  await item.getByRole('button', { name: `Approve REQ-${number}` }).click();
  await expect(item.getByRole('status')).toContainText(/Approved/);

  // The requester's VM page: the resize ran once and the VM has the new size.
  await requester.reload();
  await expect(requester.getByTestId('vm-actions')).toContainText(/Last action: Resize succeeded/, { timeout: 120_000 });
  await requester.reload();
  await expect(requester.getByText(new RegExp(`^${big!.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ·`)).first()).toBeVisible();
  await expect(requester.getByTestId('vm-pending-approvals')).toHaveCount(0);
});
