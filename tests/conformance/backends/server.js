'use strict';
// Foreign SSE backends for the conformance suite (`cargo xtask test --only
// conformance`), one style per process, none of them shaped like the
// reference backend. Each serves the built client (dist/) at its own
// origin, its client settings as /config.json (tests/conformance/styles.json),
// its own event stream and send route, and POST /_publish {user, text}: the
// backend's own API for announcing a message (the tests' "receive" source).
//
//   node server.js --style NAME --addr 127.0.0.1:0 --dist dist [--store FILE]
//
// Prints "conformance backend NAME listening on http://HOST:PORT" once
// listening. With --store, messages and ids survive a restart (the harness
// restarts the process on the same port and file); the `reset` style ignores
// it: in memory only, ids start at 1 again after every restart. The styles:
//
//   noids    JSON {user,text}; no id:, no client id echo; POST /send takes
//            exactly {user,text} and answers {"ok":true}, then fans out
//            200 ms later (like a queue-backed backend); no replay, no ping.
//   someids  JSON {user,text,ts,client_id}; id: only on odd-numbered
//            messages; a `ping` event with an id (the newest message number)
//            every second; replay after Last-Event-ID / ?last_event_id.
//   reset    JSON {id,user,text,client_id} with id:; POST answers the stored
//            message; replay on resume; in memory (ids restart at 1). It
//            relays a posted integer `reply_to` as a bare id (the client
//            quotes the original it holds); no edits or reactions.
//   nested   {"data":{"text","author":{"name"},"clientId"},"ts"} with id:;
//            POST /api/post answers 202 with an empty body.
//   form     JSON {id,user,text,ts,client_id} with id:; POST /form takes
//            application/x-www-form-urlencoded only and answers 204.
//   plain    plain-text data: lines with id:; read-only (no send route).
//   flaky    JSON {id,user,text,ts,client_id} with id:; the first POST of
//            each text answers 500 (nothing stored), the retry 204; each
//            user's first stream request since start answers 500.
// (`named` is the Python backend, named.py.)

const express = require('express');
const fs = require('fs');
const path = require('path');
const styles = require('../styles.json');

function parseArgs(argv) {
  const args = { addr: '127.0.0.1:0', dist: 'dist', store: null, style: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[key] = argv[i + 1];
  }
  if (!STYLES[args.style]) throw new Error(`--style must be one of ${Object.keys(STYLES).join(', ')}`);
  return args;
}

/** One SSE event; multi-line data becomes several data: lines. */
function sse({ id, event, data }) {
  let out = '';
  if (event !== undefined) out += `event: ${event}\n`;
  if (id !== undefined) out += `id: ${id}\n`;
  for (const line of String(data).split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}

/** Messages in arrival order; appended to `file` (JSON lines) when given. */
class Store {
  constructor(file) {
    this.file = file;
    this.messages = [];
    if (file && fs.existsSync(file)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      this.messages = lines.map((l) => JSON.parse(l));
    }
  }
  lastSeq() {
    return this.messages.length ? this.messages[this.messages.length - 1].seq : 0;
  }
  add({ user, text, clientId, replyTo }) {
    const msg = { seq: this.lastSeq() + 1, user, text, clientId: clientId || null, ts: Date.now() };
    if (replyTo) msg.replyTo = replyTo;
    this.messages.push(msg);
    if (this.file) fs.appendFileSync(this.file, JSON.stringify(msg) + '\n');
    return msg;
  }
  after(seq) {
    return this.messages.filter((m) => m.seq > seq);
  }
}

/** Reads {user, text, client_id} from a parsed body; a string is an error. */
function readFields(body, allowed) {
  if (!body || typeof body !== 'object') return 'the body must be ' + (allowed ? 'a JSON object' : 'a form');
  if (allowed) {
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    if (unknown.length) return `unknown field ${unknown[0]}`;
  }
  const { user, text } = body;
  if (typeof user !== 'string' || !user.trim()) return 'user is required';
  if (typeof text !== 'string' || !text.trim()) return 'text is required';
  const clientId = typeof body.client_id === 'string' ? body.client_id : null;
  // Relayed as given, checked for nothing (as a generic relay would).
  const replyTo = Number.isInteger(body.reply_to) ? body.reply_to : null;
  return { user, text, clientId, replyTo };
}

const json = express.json();
const form = express.urlencoded({ extended: false });
const answer = (status, body) => (res) => (body === undefined ? res.status(status).end() : res.status(status).json(body));
const withId = (m) => ({
  id: m.seq,
  user: m.user,
  text: m.text,
  client_id: m.clientId,
  ...(m.replyTo ? { reply_to: m.replyTo } : {}),
});
const full = (m) => ({ ...withId(m), ts: m.ts });

/**
 * Each style: `frame` (message → SSE text), `replay` (on resume), `persist`,
 * `ping` (→ SSE text, every second), and `send` {path, parser, allowed
 * fields, answer, fanOutDelayMs, failFirst}; no `send` is read-only.
 */
const STYLES = {
  noids: {
    frame: (m) => sse({ data: JSON.stringify({ user: m.user, text: m.text }) }),
    send: { path: '/send', parser: json, allowed: ['user', 'text'], answer: answer(200, { ok: true }), fanOutDelayMs: 200 },
  },
  someids: {
    frame: (m) =>
      sse({
        id: m.seq % 2 === 1 ? m.seq : undefined,
        data: JSON.stringify({ user: m.user, text: m.text, ts: m.ts, client_id: m.clientId }),
      }),
    replay: true,
    persist: true,
    ping: (store) => sse({ event: 'ping', id: store.lastSeq(), data: JSON.stringify({ ts: Date.now() }) }),
    send: { path: '/messages', parser: json, answer: answer(201, { ok: true }) },
  },
  reset: {
    frame: (m) => sse({ id: m.seq, data: JSON.stringify(withId(m)) }),
    replay: true,
    send: { path: '/messages', parser: json, answer: (res, m) => res.status(201).json(withId(m)) },
  },
  nested: {
    frame: (m) =>
      sse({
        id: m.seq,
        data: JSON.stringify({ data: { text: m.text, author: { name: m.user }, clientId: m.clientId }, ts: m.ts }),
      }),
    replay: true,
    persist: true,
    send: { path: '/api/post', parser: json, answer: answer(202) },
  },
  form: {
    frame: (m) => sse({ id: m.seq, data: JSON.stringify(full(m)) }),
    replay: true,
    persist: true,
    send: { path: '/form', parser: form, answer: answer(204) },
  },
  plain: {
    frame: (m) => sse({ id: m.seq, data: m.text }),
    replay: true,
    persist: true,
  },
  flaky: {
    frame: (m) => sse({ id: m.seq, data: JSON.stringify(full(m)) }),
    replay: true,
    persist: true,
    failFirstStream: true,
    send: { path: '/messages', parser: json, answer: answer(204), failFirst: true },
  },
};

/** The resume point: Last-Event-ID header, else ?last_event_id; null if none. */
function resumeId(req) {
  const raw = req.get('Last-Event-ID') || req.query.last_event_id;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && String(n) === String(raw).trim() ? n : null;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const style = STYLES[args.style];
  const store = new Store(style.persist ? args.store : null);
  const streams = new Set();
  const streamedUsers = new Set();
  const failedTexts = new Set();
  const broadcast = (m) => streams.forEach((res) => res.write(style.frame(m)));
  const app = express();

  app.get('/config.json', (_req, res) => res.json({ ...styles.common, ...styles.styles[args.style].config }));

  app.get('/events', (req, res) => {
    const user = String(req.query.user || '');
    if (style.failFirstStream && !streamedUsers.has(user)) {
      streamedUsers.add(user);
      return res.status(500).type('text/plain').send('stream temporarily unavailable');
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': welcome\n\n');
    const after = style.replay ? resumeId(req) : null;
    if (after !== null) store.after(after).forEach((m) => res.write(style.frame(m)));
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });

  app.post('/_publish', json, (req, res) => {
    const fields = readFields(req.body, null);
    if (typeof fields === 'string') return res.status(400).json({ error: fields });
    broadcast(store.add(fields));
    res.status(204).end();
  });

  const send = style.send;
  if (send) {
    app.post(send.path, send.parser, (req, res) => {
      const fields = readFields(req.body, send.allowed);
      if (typeof fields === 'string') return res.status(req.body ? 400 : 415).json({ error: fields });
      if (send.failFirst && !failedTexts.has(fields.text)) {
        failedTexts.add(fields.text);
        return res.status(500).json({ error: 'temporary failure, please retry' });
      }
      const m = store.add(fields);
      if (send.fanOutDelayMs) {
        send.answer(res, m);
        setTimeout(() => broadcast(m), send.fanOutDelayMs);
      } else {
        broadcast(m);
        send.answer(res, m);
      }
    });
  }

  app.use(express.static(path.resolve(args.dist)));

  if (style.ping) setInterval(() => streams.forEach((res) => res.write(style.ping(store))), 1000);

  const [host, port] = [args.addr.slice(0, args.addr.lastIndexOf(':')), Number(args.addr.split(':').pop())];
  const server = app.listen(port, host, () => {
    const a = server.address();
    console.log(`conformance backend ${args.style} listening on http://${a.address}:${a.port}`);
  });
  const stop = () => {
    streams.forEach((res) => res.end());
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
