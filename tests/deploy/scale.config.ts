// Playwright for the `scale` suite: run by `cargo xtask test --only scale`,
// which starts one Redis and two nginx + nchan instances serving the release
// dist/ (SCALE_A_URL, SCALE_B_URL) and a control server that stops and
// starts them (SCALE_CONTROL). Uses Debian's Chromium; never downloads a
// browser.
import { defineConfig } from '@playwright/test';
import { chromiumLaunch } from '../chromium';

export default defineConfig({
  testDir: '.',
  testMatch: 'scale.spec.ts',
  // Not under test-results/: the e2e suite empties that folder when it starts.
  outputDir: '../../target/scale/results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: {
    actionTimeout: 10_000,
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunch,
  },
});
