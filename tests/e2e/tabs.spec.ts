import { test, expect, Page } from '@playwright/test';
import { baseURL, expectConnected, join, messages, seed, send, uniqueRoom } from './helpers';

// Many tabs of one browser on one HTTP/1.1 origin: six connections per
// origin would starve the seventh tab if every tab held a stream. One tab
// (the Web Lock holder) streams for all of them over a BroadcastChannel.

const TABS = 10;

async function expectOnceEverywhere(pages: Page[], text: string) {
  for (const [i, page] of pages.entries()) {
    await expect(messages(page, text), `tab ${i + 1}`).toHaveCount(1);
  }
}

test('ten tabs share one stream, hand it over when the leader closes, and send once', async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const room = uniqueRoom('tabs');
  const first = await join(browser, 'tabby', room);
  const context = first.context();
  const streams: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/events')) streams.push(r.url());
  });
  const pages = [first];
  for (let i = 1; i < TABS; i++) {
    const page = await context.newPage();
    // The session is remembered: a new tab opens the chat at once.
    await page.goto('/');
    await expectConnected(page);
    pages.push(page);
  }

  await seed(request, room, 'outsider', ['hello all ten']);
  await expectOnceEverywhere(pages, 'hello all ten');
  expect(streams, 'the first tab streams for every tab').toHaveLength(0);

  // The leader goes; a message said meanwhile must still arrive, once.
  await first.close();
  await seed(request, room, 'outsider', ['said during the handover']);
  const rest = pages.slice(1);
  await expectOnceEverywhere(rest, 'said during the handover');
  expect(streams, 'one tab took the stream over').toHaveLength(1);
  expect(streams[0], 'resuming after the last id').toMatch(/last_event_id=\d+/);

  // A message sent from one tab is sent and stored once, shown once in all.
  await send(rest[2], 'from tab four');
  await expectOnceEverywhere(rest, 'from tab four');
  const history = await request.get(`${baseURL}/api/rooms/${room}/messages?limit=200`);
  const stored = (await history.json()).messages.filter((m: { text: string }) => m.text === 'from tab four');
  expect(stored).toHaveLength(1);
  await seed(request, room, 'outsider', ['last word']);
  await expectOnceEverywhere(rest, 'last word');
  for (const text of ['hello all ten', 'said during the handover', 'from tab four']) {
    await expectOnceEverywhere(rest, text);
  }
  expect(streams).toHaveLength(1);
  await context.close();
});

test('a room joined in a follower tab reaches it through the leader stream', async ({ browser, request }) => {
  const room = uniqueRoom('lead');
  const other = uniqueRoom('follow');
  const leader = await join(browser, 'tabitha', room);
  const context = leader.context();
  const follower = await context.newPage();
  await follower.goto('/');
  await expectConnected(follower);
  const streams: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/events')) streams.push(r.url());
  });
  await follower.getByLabel('Join another room').fill(other);
  await follower.getByLabel('Join another room').press('Enter');
  await expect(follower.getByRole('heading', { level: 1 })).toHaveText(`#${other}`);
  // The leader's stream now follows both rooms; the leader shows only its own.
  await expect.poll(() => streams.some((u) => u.includes(other))).toBe(true);
  expect(streams.every((u) => u.includes(room) && u.includes(other))).toBe(true);
  await seed(request, other, 'outsider', ['in the second room']);
  await expect(messages(follower, 'in the second room')).toHaveCount(1);
  await expect(leader.locator('.room-button')).toHaveText([`#${room}`]);
  await context.close();
});

test('without Web Locks every tab streams on its own', async ({ browser, request }) => {
  const room = uniqueRoom('nolocks');
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete (Navigator.prototype as { locks?: unknown }).locks;
  });
  const streams: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/events')) streams.push(r.url());
  });
  const first = await context.newPage();
  await first.goto('/');
  await first.getByLabel('Nickname').fill('lockless');
  await first.getByLabel('Room', { exact: true }).fill(room);
  await first.getByRole('button', { name: 'Join' }).click();
  await expectConnected(first);
  const second = await context.newPage();
  await second.goto('/');
  await expectConnected(second);
  await seed(request, room, 'outsider', ['to both tabs']);
  await expectOnceEverywhere([first, second], 'to both tabs');
  expect(streams).toHaveLength(2);
  await context.close();
});

test('tabs share their outbox and read state: shown in all, sent once, read once', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom('outbox');
  const side = uniqueRoom('side');
  const a = await join(browser, 'shary', room);
  await a.getByLabel('Join another room').fill(side);
  await a.getByLabel('Join another room').press('Enter');
  await expect(a.getByRole('heading', { level: 1 })).toHaveText(`#${side}`);
  await a.locator('.room-button', { hasText: `#${room}` }).click();
  const context = a.context();
  const b = await context.newPage();
  await b.goto('/');
  await expectConnected(b);
  await expect(b.getByRole('heading', { level: 1 })).toHaveText(`#${room}`);

  // Queued in tab A while its sends cannot get through: pending in both.
  await a.route('**/api/messages', (route) => route.abort('connectionrefused'));
  await send(a, 'queued in a');
  for (const page of [a, b]) {
    await expect(page.locator('li.msg.pending', { hasText: 'queued in a' })).toHaveCount(1);
  }
  await a.unroute('**/api/messages');
  for (const page of [a, b]) {
    await expect(page.locator('li.msg.pending')).toHaveCount(0, { timeout: 30_000 });
    await expect(messages(page, 'queued in a')).toHaveCount(1);
  }

  // Refused in tab A, retried from tab B: A sends it, once.
  const fail = await request.post(`${baseURL}/api/_test/fail`, {
    data: { route: 'messages', status: 422, times: 1 },
  });
  expect(fail.status()).toBe(204);
  await send(a, 'refused once');
  for (const page of [a, b]) {
    await expect(page.locator('li.msg.failed', { hasText: 'refused once' })).toHaveCount(1);
  }
  await b.locator('li.msg.failed').getByRole('button', { name: 'Retry' }).click();
  for (const page of [a, b]) {
    await expect(page.locator('li.msg.failed')).toHaveCount(0);
    await expect(messages(page, 'refused once')).toHaveCount(1);
  }
  const history = await request.get(`${baseURL}/api/rooms/${room}/messages?limit=200`);
  const texts: string[] = (await history.json()).messages.map((m: { text: string }) => m.text);
  expect(texts.filter((t) => t === 'queued in a')).toHaveLength(1);
  expect(texts.filter((t) => t === 'refused once')).toHaveLength(1);

  // Unread in both; read in A, cleared in B.
  await seed(request, side, 'outsider', ['on the side']);
  const badge = (page: Page) => page.locator('.room-button', { hasText: `#${side}` }).locator('.badge');
  await expect(badge(a)).toHaveText('1');
  await expect(badge(b)).toHaveText('1');
  await a.locator('.room-button', { hasText: `#${side}` }).click();
  await expect(messages(a, 'on the side')).toHaveCount(1);
  await expect(badge(b)).toHaveCount(0);
  await context.close();
});

test('a follower back from the back/forward cache gets what it missed, once', async ({ browser, request }) => {
  const room = uniqueRoom('cached');
  const leader = await join(browser, 'cachy', room);
  const context = leader.context();
  const follower = await context.newPage();
  await follower.goto('/');
  await expectConnected(follower);
  await seed(request, room, 'outsider', ['before the cache']);
  await expectOnceEverywhere([leader, follower], 'before the cache');
  await follower.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
  await seed(request, room, 'outsider', ['said while cached']);
  await expect(messages(leader, 'said while cached')).toHaveCount(1);
  await follower.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await expectOnceEverywhere([leader, follower], 'said while cached');
  await expectOnceEverywhere([leader, follower], 'before the cache');
  await context.close();
});
