// Side-by-side browser benchmark, run by `cargo xtask bench` (never by
// `cargo xtask test`): sse-chat (the release dist/) against two vanilla-JS
// baselines (tests/bench/baseline/: `naive` appends a row per event,
// `batched` appends once per animation frame and keeps 160 rows), all served
// by one reference backend, alternating clients, BENCH_REPS repetitions.
// Prints median [min-max] per client and the ratio sse-chat/baseline.
//
// env: SERVER_BIN (the sse-chat-server binary), DIST (default dist/),
//      BENCH_REPS (default 3), CHROMIUM (default /usr/bin/chromium).
// Messages come from the server: a fresh SQLite file is seeded with sqlite3,
// and every burst is a replay after `last_event_id` (docs/PROTOCOL.md).
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { chromium } from '@playwright/test';
import { firstRowSteps, hook, scriptTime, withinBurst } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const DIST = process.env.DIST || join(root, 'dist');
const REPS = Number(process.env.BENCH_REPS || 3);
const BURST = 20_000, BIG = 100_000, SMALL = 1_000, TAIL = 1_000;
const CLIENTS = ['sse-chat', 'naive', 'batched'];

const text = (i) => `lorem ipsum dolor sit amet ${'consectetur adipiscing elit sed do eiusmod'.slice(0, i % 40)} <${i}>`;

function seed(db) {
  const rows = (room, from, n) => `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i+1 FROM n WHERE i < ${from + n - 1})
    INSERT INTO messages(room,user,text,ts,client_id)
    SELECT '${room}', 'user' || (i % 7), 'lorem ipsum dolor sit amet ' ||
      substr('consectetur adipiscing elit sed do eiusmod', 1, i % 40) || ' <' || i || '>',
      1764590000000 + i * 10, 'seed-' || i FROM n;`;
  const sql = `CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL,
      user TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL, client_id TEXT);
    CREATE UNIQUE INDEX IF NOT EXISTS messages_client_id ON messages(client_id);
    CREATE INDEX IF NOT EXISTS messages_room_id ON messages(room, id);
    ${rows('burst', 1, BURST)} ${rows('big', BURST + 1, BIG)} ${rows('small', BURST + BIG + 1, SMALL)}`;
  execFileSync('sqlite3', [db, sql]);
  const range = (from, n) => Array.from({ length: n }, (_, k) => from + k);
  return { burst: range(1, BURST), big: range(BURST + 1, BIG), small: range(BURST + BIG + 1, SMALL) };
}

function startServer(dir) {
  const bin = process.env.SERVER_BIN || join(root, 'target/debug/sse-chat-server');
  const args = ['--db', join(dir, 'bench.db'), '--addr', '127.0.0.1:0', '--static', join(dir, 'app'), '--test-hooks'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`${bin} exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, base: m[1] });
    });
  });
}

async function api(base, path, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const t = await r.text();
  if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${t}`);
  return t ? JSON.parse(t) : null;
}

let posted = 0;
/** Posts TAIL messages to `room` (16 at a time); their ids are appended to
 *  `ids`; the marker of the newest one is returned. */
async function postTail(base, room, ids) {
  const first = posted;
  posted += TAIL;
  const marks = Array.from({ length: TAIL }, (_, k) => `tail-${first + k}`);
  let next = 0;
  const got = [];
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < TAIL) {
      const k = next++;
      const m = await api(base, '/api/messages', { room, user: `user${k % 7}`, text: `${text(k)} <${marks[k]}>`, client_id: marks[k] });
      got.push([m.id, marks[k]]);
    }
  }));
  got.sort((a, b) => a[0] - b[0]); // concurrent posts finish out of order
  ids.push(...got.map(([id]) => id));
  return `<${got[TAIL - 1][1]}>`; // the newest, so the last row
}

function pageUrl(client, room, lei) {
  if (client === 'sse-chat') {
    if (lei == null) return '/'; // as configured, history page included
    // The burst must be the replay: the history page would show the newest
    // rows at once (the baselines have no history either).
    const events = `/api/events?rooms={rooms}&user={user}&last_event_id=${lei}`;
    return `/?eventsUrl=${encodeURIComponent(events)}&historyUrl=`;
  }
  return `/baseline/${client}.html?rooms=${room}&user=bench${lei == null ? '' : `&last_event_id=${lei}`}`;
}

/** Opens a fresh context on `client` following `room`; resolves when the row
 *  containing `expect` is the last one in the page. */
async function open(browser, base, client, room, lei, expect, trace = false) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1000, height: 800 } });
  const ls = client === 'sse-chat' ? { 'sse-chat.nickname': 'bench', 'sse-chat.rooms': room, 'sse-chat.active': room } : {};
  await context.addInitScript(hook, { expect, ls });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (trace) {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'blink.user_timing', 'toplevel', 'v8'] });
  }
  step(`${client} ${room}${lei == null ? '' : ` after ${lei}`}${trace ? ' traced' : ''}`);
  await page.goto(pageUrl(client, room, lei));
  await waitLast(page);
  const traced = trace ? JSON.parse(await browser.stopTracing()) : null;
  return { context, page, cdp, traced };
}

async function waitLast(page) {
  try {
    await page.waitForFunction(() => window.__bench.lastRow !== null, null, { timeout: 180_000, polling: 250 });
  } catch (e) {
    const b = await page.evaluate(() => ({ ...window.__bench, wasm: undefined, longtasks: undefined,
      rows: document.getElementsByClassName('msg').length,
      lastText: document.getElementsByClassName('msg')[document.getElementsByClassName('msg').length - 1]?.textContent }));
    throw new Error(`${page.url()}: no last row: ${JSON.stringify(b)}`);
  }
  return page.evaluate(() => window.__bench);
}

const t0 = performance.now();
const step = (what) => process.stderr.write(`bench: compare: ${((performance.now() - t0) / 1000).toFixed(1)} s ${what}\n`);

async function memory(page, cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const wasm = await page.evaluate(() => (window.__bench.wasm ? window.__bench.wasm.buffer.byteLength : 0));
  const dom = (await cdp.send('Memory.getDOMCounters')).nodes;
  return { heap, wasm, dom };
}

/** One repetition of every scenario for one client; adds to `out[metric]`. */
async function rep(browser, base, ids, client, out) {
  const add = (k, v) => v != null && (out[k] ??= []).push(v);
  // 20k burst: ingest time and long tasks, untraced.
  let s = await open(browser, base, client, 'burst', 0, `<${BURST}>`);
  const b = await s.page.evaluate(() => window.__bench);
  const w = withinBurst(b);
  add('burst20k_ms', w.ingest);
  add('burst20k_nav_ms', b.lastRow);
  add('longtasks_n', w.longtasks);
  add('longtask_ms', w.longtaskMs);
  add('tbt_ms', w.tbt);
  await s.context.close();
  // The same burst traced: script and main-thread time between open and last row.
  s = await open(browser, base, client, 'burst', 0, `<${BURST}>`, true);
  const t = scriptTime(s.traced.traceEvents || s.traced);
  add('burst20k_script_ms', t?.script);
  add('burst20k_busy_ms', t?.busy);
  await s.context.close();
  // First row painted from navigation: a plain join (the server replays --history).
  s = await open(browser, base, client, 'burst', null, `<${BURST}>`);
  add('first_row_ms', (await s.page.evaluate(() => window.__bench)).firstRow);
  if (client === 'sse-chat') {
    for (const [k, v] of Object.entries(await s.page.evaluate(firstRowSteps))) add(k, v);
  }
  await s.context.close();
  for (const [room, history] of [['small', SMALL], ['big', BIG]]) {
    const roomIds = ids[room];
    const lei = roomIds[roomIds.length - history] - 1;
    s = await open(browser, base, client, room, lei, lastText.get(room) ?? `<${roomIds.at(-1)}>`);
    if (room === 'big') {
      const m = await memory(s.page, s.cdp);
      add('heap_mb', m.heap / 2 ** 20);
      add('wasm_mb', m.wasm / 2 ** 20);
      add('heap_wasm_mb', (m.heap + m.wasm) / 2 ** 20);
      add('dom_nodes', m.dom);
    }
    add(`tail1k_after_${history / 1000}k_ms`, await tail(s.page, base, room, roomIds));
    await s.context.close();
  }
}

/** The marker text of each room's newest message, once the bench posted some. */
const lastText = new Map();

/** The stream is dropped and held off (503) while TAIL messages are posted;
 *  the client's reconnect then gets them as one resume replay. */
async function tail(page, base, room, roomIds) {
  await api(base, '/api/_test/fail', { route: 'events', status: 503, times: 1_000_000 });
  await page.evaluate(() => { window.__bench.lastRow = null; window.__bench.expect = '\u0000'; });
  await api(base, '/api/_test/drop', {});
  step(`tail of ${TAIL} into ${room}`);
  const marker = await postTail(base, room, roomIds);
  lastText.set(room, marker);
  await page.evaluate((m) => { window.__bench.expect = m; }, marker);
  await api(base, '/api/_test/fail', { route: 'events', status: 503, times: 1 });
  const b = await waitLast(page);
  return withinBurst(b).ingest;
}

/** Raw, gzip and brotli bytes of every asset in `dir` (precompressed copies
 *  when present, else compressed here). */
function sizes(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory() || /\.(gz|br)$/.test(name)) continue;
    const raw = readFileSync(path);
    const gz = existsSync(`${path}.gz`) ? statSync(`${path}.gz`).size : Math.min(raw.length, gzipSync(raw, { level: 9 }).length);
    const br = existsSync(`${path}.br`) ? statSync(`${path}.br`).size
      : Math.min(raw.length, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
    out.push({ name: prefix + name, raw: raw.length, gz, br });
  }
  return out;
}

async function serverAlone(base) {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/events?rooms=burst&last_event_id=0`);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let tailText = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    tailText = (tailText + dec.decode(value)).slice(-200);
    if (tailText.includes('event: ready')) break;
  }
  reader.cancel();
  return performance.now() - t0;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const cell = (xs) => (xs?.length ? `${fmt(median(xs))} [${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}]` : '-');
const ratio = (a, b) => (a?.length && b?.length && median(b) ? `${(median(a) / median(b)).toFixed(2)}x` : '-');

function table(results, serverMs) {
  const metrics = [...new Set(CLIENTS.flatMap((c) => Object.keys(results[c])))];
  const rows = [['metric', ...CLIENTS, '/naive', '/batched']];
  for (const k of metrics) {
    const r = CLIENTS.map((c) => results[c][k]);
    rows.push([k, ...r.map(cell), ratio(r[0], r[1]), ratio(r[0], r[2])]);
  }
  const growth = CLIENTS.map((c) => ratio(results[c].tail1k_after_100k_ms, results[c].tail1k_after_1k_ms));
  rows.push(['tail1k: after 100k / after 1k', ...growth, '', '']);
  rows.push(['server alone: 20k replay to ready (ms)', cell(serverMs), '', '', '', '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`bench: ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`);
}

function sizeTable(app, base) {
  const total = (xs) => xs.reduce((a, x) => ({ raw: a.raw + x.raw, gz: a.gz + x.gz, br: a.br + x.br }), { raw: 0, gz: 0, br: 0 });
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const a of app) console.log(`bench: size sse-chat ${a.name}: ${kb(a.raw)} raw, ${kb(a.gz)} gzip, ${kb(a.br)} brotli`);
  const t = total(app);
  console.log(`bench: size sse-chat total: ${kb(t.raw)} raw, ${kb(t.gz)} gzip, ${kb(t.br)} brotli`);
  for (const c of ['naive', 'batched']) {
    const files = base.filter((f) => f.name === `${c}.html` || f.name === `${c}.js` || f.name === 'common.js' || f.name === 'base.css');
    const b = total(files);
    console.log(`bench: size ${c} total: ${kb(b.raw)} raw, ${kb(b.gz)} gzip, ${kb(b.br)} brotli (sse-chat/${c} gzip ${(t.gz / b.gz).toFixed(1)}x)`);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sse-chat-bench-'));
  cpSync(DIST, join(dir, 'app'), { recursive: true });
  cpSync(join(here, 'baseline'), join(dir, 'app', 'baseline'), { recursive: true });
  const ids = seed(join(dir, 'bench.db'));
  const { child, base } = await startServer(dir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const results = Object.fromEntries(CLIENTS.map((c) => [c, {}]));
    const serverMs = [];
    for (let r = 0; r < REPS; r++) {
      serverMs.push(await serverAlone(base));
      const order = CLIENTS.map((_, i) => CLIENTS[(i + r) % CLIENTS.length]);
      for (const client of order) {
        await rep(browser, base, ids, client, results[client]);
        process.stderr.write(`bench: compare: repetition ${r + 1}/${REPS} ${client} done\n`);
      }
    }
    table(results, serverMs);
    sizeTable(sizes(join(dir, 'app')), sizes(join(here, 'baseline')));
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench: compare: ${e.stack || e}`);
  process.exit(1);
});
