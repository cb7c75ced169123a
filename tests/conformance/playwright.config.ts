// Playwright for the conformance suite: run by `cargo xtask test --only
// conformance`, which starts one foreign backend per style (each serving the
// release dist/ at its own origin) and passes them in CONFORMANCE_BACKENDS.
// Uses Debian's Chromium; never downloads a browser.
import { defineConfig } from '@playwright/test';
import { chromiumLaunch } from '../chromium';

export default defineConfig({
  testDir: '.',
  testMatch: 'conformance.spec.ts',
  // Not under test-results/: the e2e suite empties that folder when it starts.
  outputDir: '../../target/conformance-results',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // `list` for people; the summary reporter prints one line per backend,
  // which the harness collects.
  reporter: [['list'], ['./summary-reporter.ts']],
  use: {
    actionTimeout: 10_000,
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunch,
  },
});
