// Formatting, mentions, the unread "New" line, muted rooms and search,
// with two users on the reference backend.
import { test, expect, Page } from '@playwright/test';
import { composer, expectConnected, join, messages, send, seed, uniqueRoom } from './helpers';

/** The row whose text content is exactly `text`. */
function row(page: Page, text: string) {
  return messages(page, text).first();
}

test('formatting renders as elements of text, and a backslash keeps it plain', async ({ browser }) => {
  const room = uniqueRoom('fmt');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await send(alice, 'use `cargo test` **now**, *please* ~~later~~');
  const line = row(bob, 'use cargo test now, please later');
  await expect(line.locator('code')).toHaveText('cargo test');
  await expect(line.locator('strong')).toHaveText('now');
  await expect(line.locator('em')).toHaveText('please');
  await expect(line.locator('s')).toHaveText('later');

  await composer(alice).fill('```\nfn main() {\n    println!("<b>hi</b>");\n}\n```');
  await composer(alice).press('Enter');
  const code = bob.locator('li.msg pre code').last();
  await expect(code).toHaveText('fn main() {\n    println!("<b>hi</b>");\n}');
  // Markup stays text: no element came out of the message.
  await expect(bob.locator('li.msg b')).toHaveCount(0);

  await composer(alice).fill('> quoted\nanswer');
  await composer(alice).press('Enter');
  await expect(bob.locator('li.msg blockquote').last()).toHaveText('quoted');

  await send(alice, String.raw`\*not italic\*`);
  await expect(row(bob, '*not italic*').locator('em')).toHaveCount(0);
});

test('mentions: autocomplete from the room, highlight, unread even when muted', async ({ browser, request }) => {
  const room = uniqueRoom('mention');
  const other = uniqueRoom('elsewhere');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await expect(alice.locator('.presence')).toContainText('bob');

  // Typing @b offers bob (present); Enter takes the name.
  await composer(alice).fill('');
  await composer(alice).pressSequentially('hey @b');
  const list = alice.getByRole('listbox', { name: 'People to mention' });
  await expect(list.getByRole('option')).toHaveText(['@bob']);
  await expect(composer(alice)).toHaveAttribute('aria-activedescendant', 'mention-0');
  await composer(alice).press('Enter');
  await expect(list).toHaveCount(0);
  await expect(composer(alice)).toHaveValue('hey @bob ');
  await composer(alice).pressSequentially('look');
  await composer(alice).press('Enter');
  const mention = row(bob, 'hey @bob look');
  await expect(mention).toHaveClass(/mentions-me/);
  await expect(mention.locator('.mention.me')).toHaveText('@bob');
  await expect(row(alice, 'hey @bob look').locator('.mention.me')).toHaveCount(0);

  // Bob goes to another room and mutes this one: plain messages no longer
  // count, a mention still does (and says so).
  await bob.getByLabel('Join another room').fill(other);
  await bob.getByLabel('Join another room').press('Enter');
  await expect(bob.getByRole('heading', { name: `#${other}` })).toBeVisible();
  await bob.getByRole('button', { name: `Mute #${room}` }).click();
  await expect(bob.getByRole('button', { name: `Mute #${room}` })).toHaveAttribute('aria-pressed', 'true');
  const item = bob.locator('.room-item', { hasText: `#${room}` });
  await seed(request, room, 'carol', ['nobody cares']);
  await expect(row(alice, 'nobody cares')).toBeVisible();
  await expect(item.locator('.badge')).toHaveCount(0);
  await seed(request, room, 'carol', ['@bob are you there?']);
  await expect(item.locator('.badge')).toHaveText('@ 1');
  await expect(item).toContainText('1 mention of you');
  // Muting is remembered.
  await bob.reload();
  await expectConnected(bob);
  await expect(bob.getByRole('button', { name: `Mute #${room}` })).toHaveAttribute('aria-pressed', 'true');
});

test('the New line marks the first unread message after switching rooms and after a reload', async ({ browser, request }) => {
  const room = uniqueRoom('unread');
  const other = uniqueRoom('away');
  const bob = await join(browser, 'bob', room);
  await seed(request, room, 'carol', ['seen before']);
  await expect(row(bob, 'seen before')).toBeVisible();
  await bob.getByLabel('Join another room').fill(other);
  await bob.getByLabel('Join another room').press('Enter');
  await expect(bob.getByRole('heading', { name: `#${other}` })).toBeVisible();
  await seed(request, room, 'carol', ['first while away', 'second while away']);
  await expect(bob.locator('.room-item', { hasText: `#${room}` }).locator('.badge')).toHaveText('2');

  await bob.getByRole('button', { name: `#${room}` }).first().click();
  const marker = bob.locator('li.unread-marker', { hasText: 'New' });
  await expect(marker).toHaveCount(1);
  // The line sits right above the first unread one.
  const next = bob.locator('li.unread-marker + li.msg .msg-text');
  await expect(next).toHaveText('first while away');

  // Kept across a reload: read up to "second while away", then more.
  await bob.getByRole('button', { name: `#${other}` }).first().click();
  await seed(request, room, 'carol', ['after the reload']);
  await bob.getByRole('button', { name: `#${room}` }).first().click();
  await bob.reload();
  await expectConnected(bob);
  await expect(row(bob, 'after the reload')).toBeVisible();
  await expect(bob.locator('li.unread-marker', { hasText: 'New' })).toHaveCount(0);
  await bob.getByRole('button', { name: `#${other}` }).first().click();
  await seed(request, room, 'carol', ['while reloaded away']);
  await bob.reload();
  await expectConnected(bob);
  await bob.getByRole('button', { name: `#${room}` }).first().click();
  await expect(bob.locator('li.unread-marker + li.msg .msg-text')).toHaveText('while reloaded away');
});

test('search finds loaded and older messages and jumps to them', async ({ browser, request }) => {
  const room = uniqueRoom('search');
  await seed(request, room, 'carol', ['the deploy key is in the vault']);
  await seed(request, room, 'carol', Array.from({ length: 250 }, (_, i) => `chatter ${i}`));
  const bob = await join(browser, 'bob', room);
  await seed(request, room, 'carol', ['Deploy went fine']);
  await expect(row(bob, 'Deploy went fine')).toBeVisible();
  await expect(messages(bob, 'the deploy key is in the vault')).toHaveCount(0);

  await bob.getByRole('button', { name: 'Search', exact: true }).click();
  const field = bob.getByRole('searchbox', { name: 'Search this room' });
  await expect(field).toBeFocused();
  await field.fill('DEPLOY');
  await field.press('Enter');
  const results = bob.getByRole('region', { name: 'Search results' });
  // The backend's search covers what is not loaded; newest first.
  await expect(bob.getByRole('search').getByRole('status')).toHaveText('2 messages found');
  const hits = results.locator('.hit-text');
  await expect(hits).toHaveText(['Deploy went fine', 'the deploy key is in the vault']);
  await expect(hits.first().locator('mark')).toHaveText('Deploy');

  await results.getByRole('button', { name: /the deploy key is in the vault/ }).click();
  const target = row(bob, 'the deploy key is in the vault');
  await expect(target).toBeInViewport();
  await expect(target).toBeFocused();

  await field.fill('nothing like this');
  await field.press('Enter');
  await expect(bob.getByRole('search').getByRole('status')).toHaveText('No messages found');
  await field.press('Escape');
  await expect(results).toHaveCount(0);
  await expect(bob.getByRole('button', { name: 'Search', exact: true })).toBeFocused();
});
