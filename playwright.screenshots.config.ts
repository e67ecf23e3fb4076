// `npm run screenshots` — the same portal start-up as the e2e suite, for pictures only.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({ ...base, testDir: 'scripts/screenshots', retries: 0 });
