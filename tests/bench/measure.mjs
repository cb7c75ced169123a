// In-page hooks and trace analysis for compare.mjs.

/** Init script (runs before any page script): records stream opens, long
 *  tasks, the first row and the moment the row containing `expect` is the
 *  last `.msg` in the page (checked once per animation frame), and keeps the
 *  wasm instance's memory. `ls` is written to localStorage first. */
export function hook({ expect, ls }) {
  try {
    for (const [k, v] of Object.entries(ls)) localStorage.setItem(k, v);
  } catch {
    return; // about:blank and the like
  }
  const b = (window.__bench = { opens: [], longtasks: [], firstRow: null, lastRow: null, expect, wasm: null });
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      this.addEventListener('open', () => {
        b.opens.push(performance.now());
        performance.mark('bench-open');
      });
    }
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      const memory = (result.instance || result).exports?.memory;
      if (memory instanceof WebAssembly.Memory) b.wasm = memory;
      return result;
    };
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const rows = document.getElementsByClassName('msg');
  const tick = () => {
    const n = rows.length;
    if (n && b.firstRow === null) b.firstRow = performance.now();
    if (n && b.lastRow === null && rows[n - 1].textContent.includes(b.expect)) {
      b.lastRow = performance.now();
      performance.mark('bench-last');
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** In the page, after sse-chat's first row: when the steps before it
 *  happened, in ms from navigation (resource timing): the wasm downloaded,
 *  `config.json` asked for (the app running), and the first history page
 *  asked for and answered (by the network; the app handles it later). */
export function firstRowSteps() {
  const res = performance.getEntriesByType('resource');
  const find = (test) => res.find((e) => test(new URL(e.name).pathname));
  const wasm = find((p) => p.endsWith('.wasm'));
  const config = find((p) => p.endsWith('/config.json'));
  // The history route (`/api/rooms/{room}/messages`), not the send URL.
  const history = find((p) => /\/rooms\/[^/]+\/messages$/.test(p));
  return {
    first_row_step_wasm_loaded_ms: wasm?.responseEnd,
    first_row_step_config_asked_ms: config?.startTime,
    first_row_step_history_asked_ms: history?.startTime,
    first_row_step_history_answered_ms: history?.responseEnd,
  };
}

/** From a page's `__bench`: the burst is from the last stream open before
 *  the last row to the last row; long tasks that start inside it. */
export function withinBurst(b) {
  const open = b.opens.filter((t) => t <= b.lastRow).pop() ?? 0;
  const tasks = b.longtasks.filter(([start]) => start >= open && start <= b.lastRow);
  return {
    ingest: b.lastRow - open,
    longtasks: tasks.length,
    longtaskMs: tasks.reduce((a, [, d]) => a + d, 0),
    tbt: tasks.reduce((a, [, d]) => a + Math.max(0, d - 50), 0),
  };
}

const SCRIPT = new Set(['FunctionCall', 'EvaluateScript', 'v8.evaluateModule', 'v8.compile', 'v8.compileModule',
  'RunMicrotasks', 'v8.callFunction', 'V8.Execute']);
const TASK = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

/** Script time and main-thread busy time (ms) on the renderer main thread
 *  between the marks `bench-open` (the last before `bench-last`) and
 *  `bench-last`: the union of the matching complete events, clipped. */
export function scriptTime(events) {
  const last = events.filter((e) => e.name === 'bench-last').pop();
  if (!last) return null;
  const open = events.filter((e) => e.name === 'bench-open' && e.ts <= last.ts).pop();
  if (!open) return null;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === last.pid && e.args?.name === 'CrRendererMain');
  const tid = main ? main.tid : last.tid;
  const union = (names) => {
    const spans = events
      .filter((e) => e.ph === 'X' && e.pid === last.pid && e.tid === tid && names.has(e.name))
      .map((e) => [Math.max(e.ts, open.ts), Math.min(e.ts + (e.dur || 0), last.ts)])
      .filter(([a, z]) => z > a)
      .sort((x, y) => x[0] - y[0]);
    let total = 0, end = -Infinity;
    for (const [a, z] of spans) {
      if (z <= end) continue;
      total += z - Math.max(a, end);
      end = z;
    }
    return total / 1000;
  };
  return { script: union(SCRIPT), busy: union(TASK) };
}
