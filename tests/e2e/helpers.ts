import { expect, Page, Browser, APIRequestContext, BrowserContextOptions } from '@playwright/test';

export const baseURL = process.env.BASE_URL!;
const controlURL = process.env.CONTROL_URL;

/** A room no other test uses. */
export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Opens a fresh browser context and joins `room` as `nickname`. */
export async function join(
  browser: Browser,
  nickname: string,
  room: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectConnected(page);
  return page;
}

export async function expectConnected(page: Page) {
  await expect(page.getByTestId('connection-status')).toContainText('Connected', { timeout: 30_000 });
}

export function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

export async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Messages in the list whose text is exactly `text`. */
export function messages(page: Page, text: string) {
  return page.locator('li.msg').filter({ has: page.locator('.msg-text', { hasText: new RegExp(`^${escape(text)}$`) }) });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Posts messages straight to the backend (another client). */
export async function seed(request: APIRequestContext, room: string, user: string, texts: string[]) {
  for (const text of texts) {
    const response = await request.post(`${baseURL}/api/messages`, { data: { room, user, text } });
    expect(response.status()).toBe(201);
  }
}

/** Stops or starts the real backend process (the harness's supervisor). */
export async function control(request: APIRequestContext, action: 'stop' | 'start' | 'restart') {
  if (!controlURL) throw new Error('CONTROL_URL is not set: run with `cargo xtask test`');
  const response = await request.post(`${controlURL}/${action}`);
  expect(response.status(), await response.text()).toBe(200);
}
