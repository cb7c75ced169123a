import { test, expect } from '@playwright/test';
import { join, send, messages, uniqueRoom, seed, composer, expectConnected } from './helpers';

// What foreign backends do that the reference backend does not, played by
// intercepting the app's requests: the app must degrade, never lose or
// double a message, and never show markup as text.

test('an HTML error page is shown as its status, not as markup', async ({ browser }) => {
  const room = uniqueRoom('html');
  const page = await join(browser, 'hana', room);
  await page.route('**/api/messages', (route) =>
    route.fulfill({
      status: 413,
      contentType: 'text/html',
      body: '<html><head><title>413 Request Entity Too Large</title></head><body><h1>413</h1><hr>nginx</body></html>',
    }),
  );
  await send(page, 'too big for this proxy');
  const failed = page.locator('li.msg.failed');
  await expect(failed).toContainText('Not sent: HTTP 413: Payload Too Large');
  await expect(failed).not.toContainText('<');
});

test('a backend without history or typing turns them off quietly', async ({ browser }) => {
  const room = uniqueRoom('nohist');
  const context = await browser.newContext();
  const page = await context.newPage();
  let historyAsked = 0;
  await page.route('**/api/rooms/**', (route) => {
    historyAsked += 1;
    return route.fulfill({ status: 404, contentType: 'text/html', body: '<p>Cannot GET</p>' });
  });
  await page.goto('/');
  await page.getByLabel('Nickname').fill('ivo');
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectConnected(page);
  await expect.poll(() => historyAsked).toBeGreaterThan(0);
  await send(page, 'still works');
  await expect(messages(page, 'still works')).not.toHaveClass(/pending/);
  await expect(page.locator('.notice')).toHaveCount(0);
  // Scrolling up asks no more: the feature is off for the session.
  const asked = historyAsked;
  await page.locator('#message-list').evaluate((el) => el.dispatchEvent(new Event('scroll')));
  await send(page, 'and still');
  await expect(messages(page, 'and still')).not.toHaveClass(/pending/);
  expect(historyAsked).toBe(asked);
});

test('a message with an unreadable time is shown, with one notice', async ({ browser }) => {
  const room = uniqueRoom('badtime');
  const context = await browser.newContext();
  const page = await context.newPage();
  // The stream answers one event and ends; the app reconnects and gets the
  // same event again (same id): it must be shown once, at arrival time.
  let streams = 0;
  await page.route('**/api/events**', (route) => {
    streams += 1;
    return route.fulfill({
      status: 200,
      contentType: 'text/event-stream',
      body:
        `id: 1\nevent: message\ndata: {"room":"${room}","user":"py","text":"naive clock","ts":"1:31:26 PM"}\n\n` +
        `id: 2\nevent: message\ndata: {"room":"${room}","user":7,"text":"numeric user"}\n\n`,
    });
  });
  await page.goto('/');
  await page.getByLabel('Nickname').fill('jo');
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(messages(page, 'naive clock')).toHaveCount(1);
  await expect(messages(page, 'numeric user').locator('.author')).toHaveText('7');
  await expect(page.locator('.notice')).toContainText('shown without a field');
  // After a reconnect brought the same events again, they are still once.
  await expect.poll(() => streams, { timeout: 20_000 }).toBeGreaterThan(2);
  await expect(messages(page, 'naive clock')).toHaveCount(1);
  await expect(messages(page, 'numeric user')).toHaveCount(1);
});

test('a read-only feed has no composer and still shows what arrives', async ({ browser, request }) => {
  const room = uniqueRoom('ro');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/?sendUrl=');
  await page.getByLabel('Nickname').fill('kim');
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectConnected(page);
  await seed(request, room, 'ticker', ['price 42']);
  await expect(messages(page, 'price 42')).toHaveCount(1);
  await expect(composer(page)).toHaveCount(0);
});
