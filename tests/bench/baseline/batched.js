// Batched baseline: messages are queued and rendered once per animation
// frame; only the newest WINDOW rows are in the page (like sse-chat's list),
// every message is kept in memory.
import { connect, row } from './common.js';

const WINDOW = 160;
const list = document.getElementById('list');
const log = [];
let queue = [];
let lastId = -1;

function flush() {
  const batch = queue;
  queue = [];
  const fresh = document.createDocumentFragment();
  for (const m of batch.slice(-WINDOW)) fresh.append(row(m));
  list.append(fresh);
  for (let extra = list.childElementCount - WINDOW; extra > 0; extra--) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

connect((m) => {
  if (m.id <= lastId) return; // ids ascend: anything else is a repeat
  lastId = m.id;
  log.push(m);
  if (queue.push(m) === 1) requestAnimationFrame(flush);
});
