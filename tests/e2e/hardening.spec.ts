import { test, expect } from '@playwright/test';
import { messages, uniqueRoom, seed, join } from './helpers';

// Hostile or broken backends and messages, played by intercepting the
// app's requests or posting to the reference backend.

async function joinWith(page: import('@playwright/test').Page, nickname: string, room: string) {
  await page.goto('/');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
}

test('a stream that opens and closes at once is retried ever more slowly', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Accepted (200, the right type), then ended without a single event.
  await page.route('**/api/events**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/event-stream', body: '' }),
  );
  await joinWith(page, 'lena', uniqueRoom('storm'));
  // Were the backoff reset on every open, it would never get past attempt 1.
  await expect(page.getByTestId('connection-status')).toContainText('attempt 3', { timeout: 30_000 });
});

test('a huge event id is not sent back in the resume URL', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const room = uniqueRoom('longid');
  const urls: string[] = [];
  await page.route('**/api/events**', (route) => {
    urls.push(route.request().url());
    return route.fulfill({
      status: 200,
      contentType: 'text/event-stream',
      body:
        `id: 7\nevent: message\ndata: {"room":"${room}","user":"a","text":"short id"}\n\n` +
        `id: ${'x'.repeat(10_000)}\nevent: message\ndata: {"room":"${room}","user":"a","text":"long id"}\n\n`,
    });
  });
  await joinWith(page, 'max', room);
  await expect(messages(page, 'long id')).toHaveCount(1);
  await expect.poll(() => urls.length, { timeout: 20_000 }).toBeGreaterThan(1);
  const resumed = urls.slice(1);
  expect(resumed.every((u) => u.length < 1_000), `resume URLs: ${resumed.map((u) => u.length)}`).toBe(true);
  expect(resumed.some((u) => u.includes('last_event_id=7'))).toBe(true);
  await expect(messages(page, 'long id')).toHaveCount(1);
});

test('deceptive links are shown as text, never as links', async ({ browser, request }) => {
  const room = uniqueRoom('links');
  const page = await join(browser, 'nia', room);
  // (Bidi controls are refused by the reference backend itself; the
  // client's rule for them is tested natively in src/text.rs.)
  const deceptive = ['https://\u0430pple.com/login', 'https://example.com@evil.example/'];
  await seed(request, room, 'mallory', [...deceptive, 'fine: https://example.com/ok']);
  await expect(messages(page, 'fine: https://example.com/ok').locator('a')).toHaveAttribute(
    'href',
    'https://example.com/ok',
  );
  for (const text of deceptive) {
    await expect(messages(page, text)).toHaveCount(1);
    await expect(messages(page, text).locator('a')).toHaveCount(0);
  }
});
