// Browser end-to-end tests (Debian's Chromium; never `playwright install`). e2e/global-setup.ts
// starts a real OIDC provider and the portal through the production start script on free ports,
// unless E2E_BASE_URL points at an already running portal (for quick local iterations).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  fullyParallel: false,
  // No retries: a flaky test must fail loudly, not pass on its second try.
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results/e2e',
  use: {
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
