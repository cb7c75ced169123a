// Naive baseline: one row appended per SSE event, every row kept.
import { connect, row } from './common.js';

const list = document.getElementById('list');
let pinned = false;
connect((m) => {
  list.append(row(m));
  if (!pinned) {
    pinned = true;
    requestAnimationFrame(() => {
      pinned = false;
      list.scrollTop = list.scrollHeight;
    });
  }
});
