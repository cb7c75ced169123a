// Playwright e2e: run by `cargo xtask test`, which builds the release dist/,
// starts the reference backend serving it on a free port and passes that
// address as BASE_URL. Uses Debian's Chromium; never downloads a browser.
import { defineConfig } from '@playwright/test';
import { chromiumLaunch } from './tests/chromium';

const baseURL = process.env.BASE_URL;
if (!baseURL) {
  throw new Error('BASE_URL is not set: run the e2e suite with `cargo xtask test`');
}

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunch,
  },
});
