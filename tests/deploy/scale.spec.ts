// Scale-out on nginx + nchan + Redis (the `scale` suite): two nginx + nchan
// instances, A and B, share one Redis and each serve the release dist/ with
// the nchan preset. Alice uses A, Bob uses B (two browser contexts, two
// origins). They chat both ways; the harness stops A mid-conversation and
// starts it again, then restarts B while both are sending. Everything said,
// before, during and after, shows exactly once on both sides, and for Carol,
// who joins last and is shown the room from Redis.
//
// Every wait is a condition with a deadline. Each page records what its
// EventSources delivered (printed when the test fails, summed up always).
import { test, expect, APIRequestContext, Browser, Page } from '@playwright/test';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run \`cargo xtask test --only scale\``);
  return value;
}

const A = env('SCALE_A_URL');
const B = env('SCALE_B_URL');
const CONTROL = env('SCALE_CONTROL');

/** Runs in each page before the app: records every stream opened and every event it delivered. */
function recordStreams() {
  const log: Record<string, unknown>[] = [];
  (window as unknown as { __sse: unknown }).__sse = log;
  const Native = window.EventSource;
  let sources = 0;
  class Recorded extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      const source = ++sources;
      log.push({ source, t: Date.now(), opened: String(url) });
      for (const type of ['open', 'error', 'message', 'ping']) {
        this.addEventListener(type, (e: Event) => {
          const m = e as MessageEvent;
          log.push({ source, t: Date.now(), type, id: m.lastEventId, data: m.data });
        });
      }
    }
  }
  window.EventSource = Recorded as typeof EventSource;
}

interface Recorded {
  source: number;
  t: number;
  opened?: string;
  type?: string;
  id?: string;
  data?: string;
}

async function streamLog(page: Page): Promise<Recorded[]> {
  return page.evaluate(() => (window as unknown as { __sse: Recorded[] }).__sse);
}

/** Opens a browser context on `origin` and joins `room` as `nickname`. */
async function join(browser: Browser, origin: string, nickname: string, room: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  await context.addInitScript(recordStreams);
  const page = await context.newPage();
  await page.goto('/');
  const error = page.locator('.error-detail');
  const nick = page.getByLabel('Nickname');
  await expect(nick.or(error), 'the client starts with the nchan settings').toBeVisible();
  if (await error.isVisible()) throw new Error(`the client refused config.json: ${await error.textContent()}`);
  await nick.fill(nickname);
  await page.getByLabel('Room', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  await expectStatus(page, nickname, 'Connected');
  return page;
}

async function expectStatus(page: Page, who: string, status: 'Connected' | 'Reconnecting') {
  await expect(page.getByTestId('connection-status'), `${who}: ${status}`).toContainText(status, {
    timeout: 30_000,
  });
}

function messages(page: Page, text: string) {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('li.msg').filter({ has: page.locator('.msg-text', { hasText: exact }) });
}

/** Stops, starts or restarts nginx instance `name` (the harness's control server). */
async function control(request: APIRequestContext, action: 'stop' | 'start' | 'restart', name: 'a' | 'b') {
  const response = await request.post(`${CONTROL}/${action}/${name}`);
  expect(response.status(), `harness: ${action} nginx ${name}: ${await response.text()}`).toBe(200);
}

let users: [string, Page][] = [];

test.afterEach(async ({}, testInfo) => {
  const failed = testInfo.status !== testInfo.expectedStatus;
  for (const [who, page] of users) {
    const log = await streamLog(page).catch(() => [] as Recorded[]);
    const opened = log.filter((e) => e.opened).map((e) => `#${e.source} ${e.opened}`);
    const count = (type: string) => log.filter((e) => e.type === type).length;
    console.log(
      `scale: ${who}: ${opened.length} streams opened, ${count('message')} message events, ` +
        `${count('ping')} ping events, ${count('error')} errors`,
    );
    for (const line of opened) console.log(`scale:   ${line}`);
    const dump = log
      .map((e) =>
        e.opened
          ? `#${e.source} OPEN ${e.opened}`
          : `#${e.source} ${e.type} id=${JSON.stringify(e.id ?? '')} data=${JSON.stringify(e.data ?? '')}`,
      )
      .join('\n');
    await testInfo.attach(`${who} event stream`, { body: dump, contentType: 'text/plain' });
    if (failed) console.log(`scale: ${who}: every event the page received:\n${dump}`);
    await page.context().close();
  }
  users = [];
});

test('a user on each of two nginx + nchan instances; one restarted mid-conversation', async ({
  browser,
  request,
}) => {
  const t = Math.random().toString(36).slice(2, 8);
  const room = `scale-${t}`;
  const alice = await join(browser, A, `alice-${t}`, room);
  const bob = await join(browser, B, `bob-${t}`, room);
  users = [
    ['alice (on A)', alice],
    ['bob (on B)', bob],
  ];
  const said: string[] = [];
  const say = async (page: Page, text: string) => {
    said.push(text);
    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill(text);
    await composer.press('Enter');
  };
  const arrives = async (page: Page, who: string, text: string) =>
    expect(messages(page, text), `${who} shows "${text}"`).toHaveCount(1, { timeout: 30_000 });

  // Across instances, both ways: published on one nginx, delivered by the other.
  await say(alice, `a1 hello from A ${t}`);
  await arrives(bob, 'bob', `a1 hello from A ${t}`);
  await say(bob, `b1 hello from B ${t}`);
  await arrives(alice, 'alice', `b1 hello from B ${t}`);

  // Said right before A goes down (not waited for), then A stops for real.
  await say(bob, `b2 as A stops ${t}`);
  await say(alice, `a2 as A stops ${t}`);
  await control(request, 'stop', 'a');
  await expectStatus(alice, 'alice', 'Reconnecting');

  // While A is down: Bob talks through B; Alice's message waits in her outbox.
  await say(bob, `b3 while A is down ${t}`);
  await say(bob, `b4 while A is down ${t}`);
  await say(alice, `a3 while A is down ${t}`);
  await arrives(bob, 'bob', `b4 while A is down ${t}`);
  await expect(messages(alice, `a3 while A is down ${t}`), 'alice: a3 is pending while A is down').toHaveClass(
    /pending/,
  );

  // A is back on the same port: Alice resumes from Redis and her outbox drains.
  await control(request, 'start', 'a');
  await expectStatus(alice, 'alice', 'Connected');
  for (const text of [`b2 as A stops ${t}`, `b3 while A is down ${t}`, `b4 while A is down ${t}`]) {
    await arrives(alice, 'alice', text);
  }
  await arrives(bob, 'bob', `a2 as A stops ${t}`);
  await arrives(bob, 'bob', `a3 while A is down ${t}`);
  await say(alice, `a4 after A is back ${t}`);
  await arrives(bob, 'bob', `a4 after A is back ${t}`);
  await say(bob, `b5 after A is back ${t}`);
  await arrives(alice, 'alice', `b5 after A is back ${t}`);

  // B restarts (stop and start at once) while both are sending.
  const restarting = control(request, 'restart', 'b');
  await say(bob, `b6 as B restarts ${t}`);
  await say(alice, `a5 as B restarts ${t}`);
  await restarting;
  await expectStatus(bob, 'bob', 'Connected');
  await say(bob, `b7 after B is back ${t}`);
  await arrives(alice, 'alice', `b7 after B is back ${t}`);

  // Barriers, one from each side: streams are ordered, so once both pages
  // show both, each has taken in everything published before them.
  await say(alice, `barrier from A ${t}`);
  await say(bob, `barrier from B ${t}`);
  for (const [who, page] of users) {
    await arrives(page, who, `barrier from A ${t}`);
    await arrives(page, who, `barrier from B ${t}`);
  }
  for (const [who, page] of users) {
    for (const text of said) {
      await expect(messages(page, text), `${who} shows "${text}" exactly once`).toHaveCount(1);
    }
    await expect(page.locator('li.msg.pending'), `${who}: nothing left pending`).toHaveCount(0);
    await expect(page.locator('li.msg.failed'), `${who}: nothing failed`).toHaveCount(0);
    await expect(page.locator('li.msg'), `${who}: nothing but what was said`).toHaveCount(said.length);
  }

  // A newcomer on B is shown the room from Redis (nchan_subscriber_first_message
  // oldest): everything said on both instances, each once.
  const carol = await join(browser, B, `carol-${t}`, room);
  users.push(['carol (on B, joined last)', carol]);
  await arrives(carol, 'carol', `barrier from B ${t}`);
  for (const text of said) {
    await expect(messages(carol, text), `carol shows "${text}" exactly once`).toHaveCount(1);
  }
  await expect(carol.locator('li.msg'), 'carol: nothing but what was said').toHaveCount(said.length);

  // nchan's pings reach the pages as `ping` events (so the client's stall
  // detection is armed): they need a data line (see the nginx config).
  for (const [who, page] of users) {
    const pings = async () => (await streamLog(page)).filter((e) => e.type === 'ping').length;
    await expect.poll(pings, { message: `${who} receives ping events` }).toBeGreaterThan(0);
  }

  // Alice's stream really was reopened after A's restart, resuming after
  // an nchan id (`<time>:<n>`, sent with its `:`) it had received.
  const log = await streamLog(alice);
  const ids = new Set(log.filter((e) => e.type === 'message').map((e) => e.id));
  const resumes = log
    .map((e) => /[?&]last_event_id=([^&]*)/.exec(e.opened ?? '')?.[1])
    .filter((id): id is string => id !== undefined)
    .map(decodeURIComponent);
  expect(resumes.length, 'alice reopened her stream with last_event_id').toBeGreaterThan(0);
  for (const id of resumes) {
    expect(id, 'the resume id is an nchan message id').toMatch(/^\d+:\d+$/);
    expect(ids.has(id), `the resume id ${id} is one alice received`).toBe(true);
  }
});
