import { test, expect } from '@playwright/test';
import { messages, uniqueRoom, send, expectConnected } from './helpers';

// dist/ as a user hosts it: a plain static host, under a sub-path, with the
// backend on another origin (absolute URLs in config.json, CORS by the
// backend's --allow-origin). The harness runs the host (STATIC_URL).
const staticURL = process.env.STATIC_URL;

test('dist/ under /chat/ on a static host, backend on another origin: two users chat', async ({ browser }) => {
  test.skip(!staticURL, 'run with `cargo xtask test`');
  const room = uniqueRoom('static');
  const open = async (nickname: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(staticURL!);
    await page.getByLabel('Nickname').fill(nickname);
    await page.getByLabel('Room', { exact: true }).fill(room);
    await page.getByRole('button', { name: 'Join' }).click();
    await expectConnected(page);
    return page;
  };
  const ann = await open('ann');
  const ben = await open('ben');
  expect(new URL(ann.url()).pathname).toBe('/chat/');
  await send(ann, 'across origins');
  await expect(messages(ben, 'across origins')).toHaveCount(1);
  await send(ben, 'and back');
  await expect(messages(ann, 'and back')).toHaveCount(1);
  await expect(messages(ann, 'across origins')).toHaveCount(1);
  await expect(messages(ann, 'across origins')).not.toHaveClass(/pending/);
});
