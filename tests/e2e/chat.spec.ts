import { test, expect } from '@playwright/test';
import { join, send, messages, uniqueRoom, composer, seed, control, expectConnected } from './helpers';

test('two users chat in real time', async ({ browser }) => {
  const room = uniqueRoom('e2e');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);

  await send(alice, 'hello bob');
  await expect(messages(bob, 'hello bob')).toHaveCount(1);
  await expect(messages(bob, 'hello bob').locator('.author')).toHaveText('alice');
  await send(bob, 'hi alice');
  await expect(messages(alice, 'hi alice')).toHaveCount(1);
  // Own copies appear once, confirmed, and marked as ours.
  await expect(messages(alice, 'hello bob')).toHaveCount(1);
  await expect(messages(alice, 'hello bob')).toHaveClass(/mine/);
  await expect(messages(alice, 'hello bob')).not.toHaveClass(/pending/);
  // Screen readers hear the new message once, through the polite region.
  await expect(alice.locator('.sr-only[aria-live=polite]')).toContainText(`bob in ${room}: hi alice`);
  // Presence lists both.
  await expect(alice.locator('.presence li')).toHaveText(['alice', 'bob']);
  // Typing shows on the other side.
  // Bob typed "hi alice" a moment ago, and the backend rate-limits typing
  // notices: he keeps typing, a key at a time, until Alice sees it (each
  // round waits for that condition, not for a fixed time).
  await expect(async () => {
    await composer(bob).press('x');
    await expect(alice.locator('.typing')).toHaveText('bob is typing…', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
});

test('reading history while messages arrive keeps the view and offers a jump', async ({ browser, request }) => {
  const room = uniqueRoom('scroll');
  await seed(request, room, 'seeder', Array.from({ length: 120 }, (_, i) => `old message ${i + 1}`));
  const page = await join(browser, 'reader', room);
  await expect(messages(page, 'old message 120')).toBeVisible();

  // Scroll up to a message in the middle and note where it is on screen.
  const target = messages(page, 'old message 40');
  // Scrolling up to it stops the list from following new messages.
  await target.scrollIntoViewIfNeeded();
  const before = await target.boundingBox();

  await seed(request, room, 'seeder', ['new 1', 'new 2', 'new 3']);
  const jump = page.getByRole('button', { name: /new messages/ });
  await expect(jump).toHaveText('3 new messages ↓');
  const after = await target.boundingBox();
  expect(Math.abs(after!.y - before!.y)).toBeLessThan(2);
  await expect(messages(page, 'new 3')).not.toBeInViewport();

  await jump.click();
  await expect(messages(page, 'new 3')).toBeInViewport();
  await expect(jump).toHaveCount(0);
});

test('scrolling up loads older history without jumping', async ({ browser, request }) => {
  const room = uniqueRoom('history');
  // More than the backend replays (100): the oldest come from the history URL.
  await seed(request, room, 'seeder', Array.from({ length: 180 }, (_, i) => `line ${i + 1}`));
  const page = await join(browser, 'historian', room);
  await expect(messages(page, 'line 180')).toBeVisible();
  await expect(messages(page, 'line 1')).toHaveCount(0);
  const list = page.locator('#message-list');
  for (let i = 0; i < 40 && (await messages(page, 'line 1').count()) === 0; i++) {
    // Scroll to the top and note, in the same task, the top row and where
    // it is: nothing can have reacted to the scroll yet.
    const before = await list.evaluate((el) => {
      el.scrollTo(0, 0);
      const row = el.querySelector('li.msg')!;
      return { text: row.querySelector('.msg-text')!.textContent!, y: row.getBoundingClientRect().top };
    });
    // Older rows appear above it...
    await expect(page.locator('li.msg .msg-text').first()).not.toHaveText(before.text);
    // ...and it stays exactly where it was on screen.
    await expect
      .poll(async () => (await messages(page, before.text).boundingBox())!.y)
      .toBeCloseTo(before.y, 0);
  }
  await expect(messages(page, 'line 1')).toHaveCount(1);
  await expect(page.getByText('This is the beginning of the room.')).toBeVisible();
  // Every line is in the room exactly once, in order.
  await list.evaluate((el) => el.scrollTo(0, 0));
  const firstRows = await page.locator('li.msg .msg-text').allTextContents();
  expect(firstRows.slice(0, 5)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
});

test('a reload keeps the nickname and unsent messages', async ({ browser }) => {
  const room = uniqueRoom('reload');
  const page = await join(browser, 'keeper', room);
  // Every send fails at the network level until the route is released.
  await page.route('**/api/messages', (route) => route.abort('connectionrefused'));
  await send(page, 'written before the reload');
  await expect(messages(page, 'written before the reload')).toHaveClass(/pending/);

  await page.reload();
  await expectConnected(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${room}`);
  const kept = messages(page, 'written before the reload');
  await expect(kept).toHaveCount(1);
  await expect(kept).toHaveClass(/pending/);
  await expect(kept.locator('.author')).toHaveText('keeper (you)');

  await page.unroute('**/api/messages');
  // Coming back online wakes the outbox at once (no backoff wait).
  await page.context().setOffline(true);
  await page.context().setOffline(false);
  await expect(kept).not.toHaveClass(/pending/, { timeout: 30_000 });
  await expect(kept).toHaveCount(1);
});

test('offline: messages queue and go out when the network returns', async ({ browser }) => {
  const room = uniqueRoom('offline');
  const page = await join(browser, 'traveller', room);
  const other = await join(browser, 'watcher', room);
  await page.context().setOffline(true);
  await expect(page.getByTestId('connection-status')).toContainText('Offline');
  await send(page, 'sent while offline');
  await expect(messages(page, 'sent while offline')).toHaveClass(/pending/);
  await page.context().setOffline(false);
  await expectConnected(page);
  await expect(messages(other, 'sent while offline')).toHaveCount(1);
  await expect(messages(page, 'sent while offline')).not.toHaveClass(/pending/);
  await expect(messages(page, 'sent while offline')).toHaveCount(1);
});

test('a backend restart mid-conversation loses and duplicates nothing', async ({ browser, request }) => {
  const room = uniqueRoom('restart');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await send(alice, 'before the restart');
  await expect(messages(bob, 'before the restart')).toHaveCount(1);

  await control(request, 'stop');
  for (const page of [alice, bob]) {
    await expect(page.getByTestId('connection-status')).toContainText('Reconnecting');
  }
  await send(alice, 'sent while the server was down');
  await expect(messages(alice, 'sent while the server was down')).toHaveClass(/pending/);
  await control(request, 'start');
  await expectConnected(alice);
  await expectConnected(bob);
  await send(bob, 'after the restart');

  for (const page of [alice, bob]) {
    for (const text of ['before the restart', 'sent while the server was down', 'after the restart']) {
      await expect(messages(page, text)).toHaveCount(1);
    }
    await expect(page.locator('li.msg.pending')).toHaveCount(0);
  }
});

test('an invalid setting shows an error screen naming it', async ({ page }) => {
  await page.goto('/?sendFormat=xml');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The chat is not configured correctly');
  await expect(page.locator('.error-detail')).toHaveText('URL parameter `sendFormat`: must be json, form or text, not "xml"');
});

test('a hidden tab counts unread messages in its title', async ({ browser, request }) => {
  const room = uniqueRoom('title');
  const page = await join(browser, 'away', room);
  await expect(page).toHaveTitle(`#${room} · sse-chat`);
  // Pretend the tab went to the background (as switching tabs would).
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await seed(request, room, 'friend', ['are you there?', 'hello?']);
  await expect(page).toHaveTitle(`(2) #${room} · sse-chat`);
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect(page).toHaveTitle(`#${room} · sse-chat`);
});

test('desktop notifications only after opting in', async ({ browser, request }) => {
  const room = uniqueRoom('notify');
  const page = await join(browser, 'opted', room, { permissions: ['notifications'] });
  // Record notifications the page creates (the real constructor still runs).
  await page.evaluate(() => {
    const Real = window.Notification;
    (window as any).__shown = [];
    const Spy = function (title: string, options?: NotificationOptions) {
      (window as any).__shown.push({ title, body: options?.body });
      return new Real(title, options);
    } as any;
    Spy.permission = Real.permission;
    Spy.requestPermission = Real.requestPermission.bind(Real);
    (window as any).Notification = Spy;
  });
  const hide = (hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);

  await hide(true);
  await seed(request, room, 'friend', ['before opting in']);
  await expect(page).toHaveTitle(/^\(1\)/);
  expect(await page.evaluate(() => (window as any).__shown)).toEqual([]);

  await hide(false);
  await page.getByLabel('Desktop notifications').check();
  await expect(page.getByLabel('Desktop notifications')).toBeChecked();
  await hide(true);
  await seed(request, room, 'friend', ['after opting in']);
  await expect.poll(() => page.evaluate(() => (window as any).__shown)).toEqual([
    { title: `friend · #${room}`, body: 'after opting in' },
  ]);

  // Muted, the room notifies only what mentions us.
  await hide(false);
  await page.getByRole('button', { name: `Mute #${room}` }).click();
  await hide(true);
  await seed(request, room, 'friend', ['muted chatter']);
  await seed(request, room, 'friend', ['@opted look here']);
  await expect.poll(() => page.evaluate(() => (window as any).__shown)).toEqual([
    { title: `friend · #${room}`, body: 'after opting in' },
    { title: `@ friend · #${room}`, body: '@opted look here' },
  ]);
});

test('rooms: unread badges, switching and leaving', async ({ browser, request }) => {
  const first = uniqueRoom('first');
  const second = uniqueRoom('second');
  const page = await join(browser, 'hopper', first);
  await page.getByLabel('Join another room').fill(second);
  await page.getByLabel('Join another room').press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${second}`);
  await expectConnected(page);

  // Messages in the room not shown count as unread there.
  await seed(request, first, 'friend', ['one', 'two']);
  const firstButton = page.locator('.room-button', { hasText: `#${first}` });
  await expect(firstButton.locator('.badge')).toHaveText('2');
  await expect(firstButton).toHaveAccessibleName(`#${first} 2 unread`);
  await expect(page.locator('.room-button[aria-current=page]')).toHaveText(`#${second}`);

  // Opening the room shows them and clears the count.
  await firstButton.click();
  await expect(messages(page, 'two')).toBeVisible();
  await expect(firstButton.locator('.badge')).toHaveCount(0);

  // Leaving the active room moves to the other one and drops it from the list.
  await page.getByRole('button', { name: `Leave #${first}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${second}`);
  await expect(page.locator('.room-button')).toHaveText([`#${second}`]);
  // And the choice survives a reload.
  await page.reload();
  await expectConnected(page);
  await expect(page.locator('.room-button')).toHaveText([`#${second}`]);
});
