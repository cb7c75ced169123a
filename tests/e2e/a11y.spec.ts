import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { join, send, uniqueRoom, seed, composer, messages } from './helpers';

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function busyRoom(page: Page, request: any, room: string) {
  await seed(request, room, 'carol', [
    'Morning! The notes are at https://example.com/notes?id=42, see you there.',
    'A longer message\nwith several lines\nof text',
    'mailto:team@example.com for questions',
  ]);
  await expect(messages(page, 'mailto:team@example.com for questions')).toHaveCount(1);
  // Replies, reactions, edits, tombstones, formatting and mentions.
  const base = process.env.BASE_URL;
  const first = await (await request.post(`${base}/api/messages`, { data: { room, user: 'carol', text: 'Deploy **today**, `v2`' } })).json();
  await request.post(`${base}/api/messages`, { data: { room, user: 'erin', text: '@dana see above', reply_to: first.id } });
  await request.post(`${base}/api/messages/${first.id}/reactions`, { data: { user: 'erin', emoji: '🎉', on: true } });
  await request.post(`${base}/api/messages/${first.id}/edit`, { data: { user: 'carol', text: 'Deploy **today**, `v3`' } });
  const gone = await (await request.post(`${base}/api/messages`, { data: { room, user: 'carol', text: 'oops' } })).json();
  await request.post(`${base}/api/messages/${gone.id}/delete`, { data: { user: 'carol' } });
  await expect(page.locator('li.msg .reaction')).toHaveCount(1);
  await expect(page.locator('li.msg.deleted')).toHaveCount(1);
  await expect(page.locator('li.msg .quote')).toHaveCount(1);
  await send(page, 'sounds good');
  await page.route('**/api/messages', (route) =>
    route.fulfill({ status: 422, contentType: 'application/json', body: '{"error":"text is not allowed"}' }),
  );
  await send(page, 'this one is refused');
  await expect(page.locator('li.msg.failed')).toHaveCount(1);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`no serious accessibility violations (${scheme})`, async ({ browser, request }) => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Join the chat' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    const room = uniqueRoom('a11y');
    const chat = await join(browser, 'dana', room, { colorScheme: scheme });
    await busyRoom(chat, request, room);
    expect(await seriousViolations(chat)).toEqual([]);
    // The open picker, the mention list and search results too.
    const row = chat.locator('li.msg', { hasText: 'see above' });
    await row.hover();
    await row.getByRole('button', { name: 'Add reaction' }).click();
    await chat.getByRole('searchbox', { name: 'Search emoji' }).fill('party');
    expect(await seriousViolations(chat)).toEqual([]);
    await chat.keyboard.press('Escape');
    await chat.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('@c');
    await expect(chat.getByRole('listbox')).toBeVisible();
    await chat.getByRole('button', { name: 'Search', exact: true }).click();
    await chat.getByRole('searchbox', { name: 'Search this room' }).fill('deploy');
    await chat.getByRole('searchbox', { name: 'Search this room' }).press('Enter');
    await expect(chat.getByRole('region', { name: 'Search results' })).toBeVisible();
    expect(await seriousViolations(chat)).toEqual([]);
  });
}

test('keyboard only: join, send, switch rooms', async ({ page }) => {
  const room = uniqueRoom('kbd');
  const other = uniqueRoom('kbd2');
  await page.goto('/');
  // The nickname field has focus on arrival.
  await expect(page.getByLabel('Nickname')).toBeFocused();
  await page.keyboard.type('keys');
  await page.keyboard.press('Tab'); // to the room field
  await expect(page.getByLabel('Room', { exact: true })).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(room);
  await page.keyboard.press('Enter');

  // Joining lands in the composer.
  await expect(composer(page)).toBeFocused();
  await page.keyboard.type('typed with keys only');
  await page.keyboard.press('Enter');
  await expect(messages(page, 'typed with keys only')).not.toHaveClass(/pending/);

  // Shift+Enter makes a new line rather than sending.
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await expect(composer(page)).toHaveValue('line one\nline two');
  await page.keyboard.press('Enter');
  await expect(messages(page, 'line one\nline two')).toHaveCount(1);

  // Shift+Tab from the composer reaches the newest row (a tab stop); its
  // actions appear, and Tab goes into them.
  const newest = messages(page, 'line one\nline two');
  for (let i = 0; i < 6 && !(await newest.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(newest).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(newest.getByRole('button', { name: 'Reply' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.compose-mode')).toContainText('Replying to');
  await expect(composer(page)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.locator('.compose-mode')).toHaveCount(0);

  // Tab to the "join another room" field and join a second room.
  const addRoom = page.getByLabel('Join another room');
  for (let i = 0; i < 40 && !(await addRoom.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(addRoom).toBeFocused();
  const outline = await addRoom.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none'); // visible focus
  await page.keyboard.type(other);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${other}`);

  // Back to the first room with Tab and Enter on its button.
  const first = page.getByRole('button', { name: `#${room}`, exact: true });
  for (let i = 0; i < 40 && !(await first.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(first).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${room}`);
  await expect(messages(page, 'typed with keys only')).toHaveCount(1);
});
