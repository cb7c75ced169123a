import { test, expect, Page, Browser } from '@playwright/test';

/** Opens a fresh browser context and joins `room` as `nickname`. */
async function join(browser: Browser, nickname: string, room: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');
  return page;
}

function uniqueRoom(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

test('a message typed in one page appears in another', async ({ browser }) => {
  const room = uniqueRoom('e2e');
  const alice = await join(browser, 'alice', room);
  const bob = await join(browser, 'bob', room);

  const text = `hello bob ${Date.now()}`;
  const composer = alice.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(text);
  await composer.press('Enter');

  const onBob = bob.locator('.msg', { hasText: text });
  await expect(onBob).toHaveCount(1);
  await expect(onBob.locator('.author')).toHaveText('alice');
  // Alice sees her own copy once, confirmed (no longer pending).
  const onAlice = alice.locator('.msg', { hasText: text });
  await expect(onAlice).toHaveCount(1);
  await expect(onAlice).not.toHaveClass(/pending/);
});
