import { test, expect } from '@playwright/test';
import { join, messages, uniqueRoom, seed } from './helpers';

// Page lifecycle: the back/forward cache closes the stream; a restore must
// reopen it at once and resume, losing and doubling nothing.

test('a page restored from the back/forward cache resumes its stream', async ({ browser, request }) => {
  const room = uniqueRoom('bfcache');
  const page = await join(browser, 'olga', room);
  await seed(request, room, 'pat', ['before the cache']);
  await expect(messages(page, 'before the cache')).toHaveCount(1);

  const streams: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/events')) streams.push(r.url());
  });
  // What the browser does on entering the cache...
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
  await seed(request, room, 'pat', ['said while cached']);
  // ...and on restoring the page from it.
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));

  await expect(messages(page, 'said while cached')).toHaveCount(1);
  expect(streams.length, 'one new stream').toBe(1);
  expect(streams[0]).toMatch(/last_event_id=\d+/);
  await expect(messages(page, 'before the cache')).toHaveCount(1);
});
