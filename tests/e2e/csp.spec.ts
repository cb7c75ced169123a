import { test, expect, Browser, Page } from '@playwright/test';
import { send, messages, uniqueRoom, expectConnected } from './helpers';

// The release dist/ under the strict Content-Security-Policy the reference
// backend sends with it (`script-src 'self' 'wasm-unsafe-eval'`, no
// 'unsafe-inline' anywhere): the whole journey runs without one violation,
// and index.html carries no inline script, handler or style.

type Violation = { directive: string; blocked: string; sample: string };

/** A page whose CSP violations (events and console), page errors and failed
 * requests are recorded from before the first script runs. */
async function watchedPage(browser: Browser) {
  const context = await browser.newContext();
  // Init scripts run through the DevTools protocol, outside the page's CSP.
  await context.addInitScript(() => {
    const seen: Violation[] = [];
    (window as any).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/content security policy|content-security-policy|refused to/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  const failed: string[] = [];
  page.on('response', (response) => {
    // Files of the app only: the API may refuse (a rate-limited typing notice).
    const api = new URL(response.url()).pathname.startsWith('/api/');
    if (response.status() >= 400 && !api) failed.push(`${response.status()} ${response.url()}`);
  });
  const violations = () => page.evaluate(() => (window as any).__cspViolations as Violation[]);
  return { page, problems, failed, violations };
}

async function joinWith(page: Page, nickname: string, room: string) {
  const response = await page.goto('/');
  const policy = response!.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toContain("default-src 'none'");
  expect(policy).not.toContain('unsafe-inline');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectConnected(page);
}

test('the whole journey runs under the strict CSP with no violation', async ({ browser }) => {
  const room = uniqueRoom('csp');
  const other = uniqueRoom('csp2');
  const alice = await watchedPage(browser);
  const bob = await watchedPage(browser);
  const wasm = alice.page.waitForResponse((r) => r.url().endsWith('.wasm'));
  await joinWith(alice.page, 'alice', room);
  // The wasm came precompressed (the browser accepts gzip, and br on https).
  expect(['br', 'gzip']).toContain((await wasm).headers()['content-encoding']);
  await joinWith(bob.page, 'bob', room);

  // Send and receive, both ways.
  await send(alice.page, 'hello under csp');
  await expect(messages(bob.page, 'hello under csp')).toHaveCount(1);
  await send(bob.page, 'hi back');
  await expect(messages(alice.page, 'hi back')).toHaveCount(1);
  await expect(messages(alice.page, 'hello under csp')).not.toHaveClass(/pending/);

  // Join a second room, talk there, switch back.
  await alice.page.getByLabel('Join another room').fill(other);
  await alice.page.getByLabel('Join another room').press('Enter');
  await expect(alice.page.getByRole('heading', { level: 1 })).toHaveText(`#${other}`);
  await send(alice.page, 'in the other room');
  await expect(messages(alice.page, 'in the other room')).not.toHaveClass(/pending/);
  await alice.page.getByRole('button', { name: `#${room}`, exact: true }).click();
  await expect(alice.page.getByRole('heading', { level: 1 })).toHaveText(`#${room}`);
  await expect(messages(alice.page, 'hi back')).toHaveCount(1);
  await send(bob.page, 'after the switch');
  await expect(messages(alice.page, 'after the switch')).toHaveCount(1);

  for (const { page, problems, failed, violations } of [alice, bob]) {
    expect(await violations()).toEqual([]);
    expect(problems).toEqual([]);
    // No file of the app was missing (the favicon included).
    expect(failed).toEqual([]);
    await page.context().close();
  }
});

test('the violation watcher sees what the CSP blocks', async ({ browser }) => {
  // The control for the test above: an inline script is refused and
  // reported, so "no violation" there means none happened.
  const { page, violations } = await watchedPage(browser);
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Join' })).toBeVisible();
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
  });
  await expect.poll(async () => (await violations()).map((v) => v.directive)).toEqual(['script-src-elem']);
  expect(await page.evaluate(() => (window as any).__inlineRan)).toBeUndefined();
  await page.context().close();
});

test('index.html has no inline script, handler or style', async ({ request }) => {
  const response = await request.get('/');
  expect(response.status()).toBe(200);
  const html = (await response.text()).replace(/<!--[\s\S]*?-->/g, '');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [tag, attrs, body] of scripts) {
    expect(attrs, tag).toMatch(/\ssrc="\.\/[^"]+"/); // external, relative to the page
    expect(body.trim(), tag).toBe('');
  }
  expect(html).not.toMatch(/\son[a-z]+\s*=/i); // no onload=... handlers
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/javascript:/i);
  // Every file it names is relative (dist/ works under any sub-path) and there.
  const refs = [...html.matchAll(/\s(?:src|href|data-glue|data-wasm)="([^"]+)"/g)].map((m) => m[1]);
  expect(refs.length).toBeGreaterThanOrEqual(5);
  for (const ref of refs) {
    expect(ref, ref).toMatch(/^\.\//);
    const asset = await request.get(new URL(ref, response.url()).href);
    expect(asset.status(), ref).toBe(200);
    // A real file, not the SPA fallback's index.html.
    expect(asset.headers()['content-type'], ref).not.toContain('text/html');
  }
  expect(html).toMatch(/<link rel="icon" href="\.\/favicon-[0-9a-f]+\.svg"/);
});
