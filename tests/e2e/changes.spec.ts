// Replies, edits, deletes and reactions with two users on the reference
// backend: what one does, the other sees, and it survives a reload and a
// backend restart.
import { test, expect, Page, APIRequestContext } from '@playwright/test';
import { baseURL, composer, control, expectConnected, join, messages, send, uniqueRoom } from './helpers';

/** The row of the message whose text is `text` (exactly one). */
function row(page: Page, text: string) {
  return messages(page, text).first();
}

/** Hovers the row and clicks one of its actions. */
async function act(page: Page, text: string, action: string) {
  const r = row(page, text);
  await r.hover();
  await r.locator('.msg-actions').getByRole('button', { name: action, exact: true }).click();
}

async function post(request: APIRequestContext, data: object) {
  const response = await request.post(`${baseURL}/api/messages`, { data });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).id as number;
}

test('reply: the quote shows for both and jumps to the original, loading history', async ({ browser, request }) => {
  const room = uniqueRoom('reply');
  const original = await post(request, { room, user: 'carol', text: 'the original question' });
  // Enough after it that the original is not in a newcomer's replay (100).
  for (let i = 0; i < 120; i++) await post(request, { room, user: 'carol', text: `filler ${i}` });
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await expect(messages(bob, 'the original question')).toHaveCount(0);
  await post(request, { room, user: 'carol', text: 'an answer from afar', reply_to: original });

  // Clicking the quote loads older pages until the original is there, and
  // brings it into view with focus.
  const quote = row(bob, 'an answer from afar').locator('.quote');
  await expect(quote).toContainText('carol');
  await expect(quote).toContainText('the original question');
  await quote.click();
  const target = row(bob, 'the original question');
  await expect(target).toBeInViewport();
  await expect(target).toBeFocused();

  // A reply through the UI: Reply, the composer says so, Escape would
  // cancel; Enter sends it with the quote.
  await act(alice, 'filler 119', 'Reply');
  await expect(alice.locator('.compose-mode')).toContainText('Replying to carol: filler 119');
  await send(alice, 'replying in the UI');
  await expect(alice.locator('.compose-mode')).toHaveCount(0);
  await expect(row(alice, 'replying in the UI').locator('.quote')).toContainText('filler 119');
  await expect(row(alice, 'replying in the UI')).not.toHaveClass(/pending/);
  // Bob is up at the original: the new reply waits below it.
  await bob.locator('.jump-new').click();
  await expect(row(bob, 'replying in the UI').locator('.quote')).toContainText('filler 119');
});

test('edit and delete: seen by the other user, kept across reload and restart', async ({ browser, request }) => {
  const room = uniqueRoom('edit');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await send(alice, 'helo wrld');
  await send(alice, 'to be deleted');
  await send(bob, 'bob says hi');
  await expect(row(alice, 'bob says hi')).toBeVisible();

  // Only one's own messages can be edited or deleted.
  await row(alice, 'bob says hi').hover();
  await expect(row(alice, 'bob says hi').getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(row(alice, 'bob says hi').getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // Edit with the button: the text goes into the composer, Save sends it.
  await expect(row(alice, 'to be deleted')).not.toHaveClass(/pending/);
  await act(alice, 'helo wrld', 'Edit');
  await expect(composer(alice)).toHaveValue('helo wrld');
  await expect(alice.locator('.compose-mode')).toContainText('Editing');
  await composer(alice).fill('hello world');
  await composer(alice).press('Enter');
  for (const page of [alice, bob]) {
    await expect(row(page, 'hello world').locator('.edited')).toHaveText('(edited)');
    await expect(messages(page, 'helo wrld')).toHaveCount(0);
  }

  // Up in the empty composer edits the last own message; Escape cancels.
  await composer(alice).press('ArrowUp');
  await expect(composer(alice)).toHaveValue('to be deleted');
  await composer(alice).press('Escape');
  await expect(composer(alice)).toHaveValue('');

  // Delete asks first, then leaves a tombstone in its place for both.
  alice.once('dialog', (d) => d.accept());
  await act(alice, 'to be deleted', 'Delete');
  for (const page of [alice, bob]) {
    await expect(messages(page, 'to be deleted')).toHaveCount(0);
    await expect(messages(page, 'Message deleted')).toHaveCount(1);
  }

  await bob.reload();
  await expectConnected(bob);
  await control(request, 'restart');
  await expectConnected(alice);
  await expectConnected(bob);
  for (const page of [alice, bob]) {
    await expect(messages(page, 'hello world')).toHaveCount(1);
    await expect(row(page, 'hello world').locator('.edited')).toHaveCount(1);
    await expect(messages(page, 'Message deleted')).toHaveCount(1);
    await expect(messages(page, 'to be deleted')).toHaveCount(0);
    await expect(messages(page, 'bob says hi')).toHaveCount(1);
  }
});

test('reactions: both toggle, counts and names follow', async ({ browser }) => {
  const room = uniqueRoom('react');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);
  await send(alice, 'ship it?');
  await expect(row(bob, 'ship it?')).toBeVisible();

  // Alice picks 👍 from the quick row of the picker.
  await act(alice, 'ship it?', 'Add reaction');
  const picker = alice.getByRole('dialog', { name: 'Add reaction' });
  await expect(picker.getByRole('searchbox', { name: 'Search emoji' })).toBeFocused();
  // Escape closes it and gives the focus back to its button.
  await alice.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);
  await expect(row(alice, 'ship it?').getByRole('button', { name: 'Add reaction' })).toBeFocused();
  await alice.keyboard.press('Enter');
  await picker.getByRole('button', { name: '👍' }).click();
  await expect(picker).toHaveCount(0);
  const thumbs = (page: Page) => row(page, 'ship it?').locator('.reaction', { hasText: '👍' });
  await expect(thumbs(bob)).toHaveAttribute('aria-label', '👍 1: alice');
  await expect(thumbs(bob)).toHaveAttribute('aria-pressed', 'false');
  await expect(thumbs(alice)).toHaveAttribute('aria-pressed', 'true');

  // Bob adds his by clicking the count; both see two.
  await thumbs(bob).click();
  for (const page of [alice, bob]) {
    await expect(thumbs(page)).toHaveAttribute('aria-label', '👍 2: alice, bob');
  }
  // Bob searches the picker for another one.
  await act(bob, 'ship it?', 'Add reaction');
  const search = bob.getByRole('searchbox', { name: 'Search emoji' });
  await search.fill('rocket');
  await bob.getByRole('dialog').getByRole('button', { name: '🚀' }).click();
  await expect(row(alice, 'ship it?').locator('.reaction', { hasText: '🚀' })).toHaveAttribute('aria-label', '🚀 1: bob');

  // Alice takes hers back: Bob's stays.
  await thumbs(alice).click();
  for (const page of [alice, bob]) {
    await expect(thumbs(page)).toHaveAttribute('aria-label', '👍 1: bob');
  }
  await alice.reload();
  await expectConnected(alice);
  await expect(thumbs(alice)).toHaveAttribute('aria-label', '👍 1: bob');
});
