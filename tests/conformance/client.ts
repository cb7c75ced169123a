// Helpers for the conformance spec: the backends the harness started, users
// joining through the UI, the backend's own publish API and the harness's
// stop/start control. Every wait is a condition with a deadline.
import { expect, test as base, APIRequestContext, BrowserContext, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

interface Style {
  runtime: string;
  readOnly?: boolean;
  anonymous?: boolean;
  config: Record<string, unknown>;
}

export interface Backend {
  name: string;
  /** `http://127.0.0.1:port`: the client and the backend's routes. */
  url: string;
  /** The harness's control server for this backend (POST /stop, /start, /restart). */
  control: string;
  /** No send route: the tests publish through the backend's API only. */
  readOnly: boolean;
  /** Messages carry no author (plain text). */
  anonymous: boolean;
  /** Relays a reply's `reply_to` (the client's `replyField` is on). */
  replies: boolean;
}

/** The room every user joins (the backends have no rooms). */
export const ROOM = 'lobby';

/** The backends from CONFORMANCE_BACKENDS, each checked against styles.json. */
export function backends(): Backend[] {
  const raw = process.env.CONFORMANCE_BACKENDS;
  if (!raw) {
    throw new Error('CONFORMANCE_BACKENDS is not set: run `cargo xtask test --only conformance`');
  }
  const file = path.join(__dirname, 'styles.json');
  const styles = JSON.parse(fs.readFileSync(file, 'utf8')).styles as Record<string, Style>;
  const rows = JSON.parse(raw) as { name: string; url: string; control: string }[];
  return rows.map((row) => {
    const style = styles[row.name];
    if (!style) throw new Error(`backend ${row.name} is not described in ${file}`);
    const replies = style.config.replyField === 'reply_to';
    return { ...row, readOnly: !!style.readOnly, anonymous: !!style.anonymous, replies };
  });
}

/** A short random tag that keeps one test's texts and nicknames apart from others'. */
export function tag(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Opens users (browser contexts) and closes them when the test ends. */
export const test = base.extend<{ open: (backend: Backend, nickname: string) => Promise<Page> }>({
  open: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (backend, nickname) => {
      const context = await browser.newContext({ baseURL: backend.url });
      contexts.push(context);
      const page = await context.newPage();
      await join(page, nickname);
      return page;
    });
    for (const context of contexts) await context.close();
  },
});

/** Loads the client and joins ROOM; a configuration error screen fails with its text. */
async function join(page: Page, nickname: string) {
  await page.goto('/');
  const nick = page.getByLabel('Nickname');
  const error = page.locator('.error-detail');
  await expect(nick.or(error), 'the client starts (join form or error screen)').toBeVisible();
  if (await error.isVisible()) {
    throw new Error(`the client refused this backend's settings: ${await error.textContent()}`);
  }
  await nick.fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(ROOM);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectConnected(page, nickname);
}

export async function expectConnected(page: Page, who: string) {
  await expect(page.getByTestId('connection-status'), `${who} is connected to the event stream`).toContainText(
    'Connected',
    { timeout: 30_000 },
  );
}

export async function expectReconnecting(page: Page, who: string) {
  await expect(page.getByTestId('connection-status'), `${who} notices the backend went away`).toContainText(
    'Reconnecting',
  );
}

/** Types `text` into the composer and presses Enter. */
export async function say(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/** Rows of the message list whose text is exactly `text`. */
export function messages(page: Page, text: string) {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('li.msg').filter({ has: page.locator('.msg-text', { hasText: exact }) });
}

/** Announces a message through the backend's own API (not the client). */
export async function publish(request: APIRequestContext, backend: Backend, user: string, text: string) {
  const response = await request.post(`${backend.url}/_publish`, { data: { user, text } });
  expect(response.status(), `${backend.name} publishes "${text}"`).toBe(204);
}

/** Stops, starts or restarts the backend's process (the harness's supervisor). */
export async function control(request: APIRequestContext, backend: Backend, action: 'stop' | 'start' | 'restart') {
  const response = await request.post(`${backend.control}/${action}`);
  expect(response.status(), `harness ${action}s ${backend.name}: ${await response.text()}`).toBe(200);
}

/**
 * A barrier: publishes one more message and waits until every page shows it.
 * Streams are ordered, so each page has then taken in everything the backend
 * sent it before: counts read afterwards are final, not "so far".
 */
export async function settle(request: APIRequestContext, backend: Backend, pages: [string, Page][]) {
  const marker = `barrier ${tag()}`;
  await publish(request, backend, 'harness', marker);
  for (const [who, page] of pages) {
    await expect(messages(page, marker), `${who} receives the barrier message published last`).not.toHaveCount(0);
  }
}

/** Each text shows exactly once on each page, and nothing is left pending. */
export async function expectEachOnce(pages: [string, Page][], texts: string[]) {
  for (const [who, page] of pages) {
    for (const text of texts) {
      await expect(messages(page, text), `${who} shows "${text}" exactly once`).toHaveCount(1);
    }
    await expect(page.locator('li.msg.pending'), `${who} has no message left pending`).toHaveCount(0);
  }
}
