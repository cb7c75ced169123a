// Shared by the vanilla baselines: the stream (reference protocol, see
// docs/PROTOCOL.md) and one row's markup. `?rooms=R&user=U&last_event_id=N`.
const params = new URLSearchParams(location.search);
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function row(m) {
  const li = document.createElement('li');
  li.className = 'msg';
  const head = document.createElement('div');
  head.className = 'msg-head';
  const user = document.createElement('span');
  user.className = 'msg-user';
  user.textContent = m.user;
  const ts = document.createElement('time');
  ts.textContent = time.format(m.ts);
  head.append(user, ts);
  const text = document.createElement('div');
  text.className = 'msg-text';
  text.textContent = m.text;
  li.append(head, text);
  return li;
}

/** Opens the stream and calls `onMessage(parsed)` per `message` event; reopens
 *  with `last_event_id` when the browser gives up (e.g. a 503 answer). */
export function connect(onMessage) {
  let last = params.get('last_event_id') || '';
  const open = () => {
    const q = new URLSearchParams({ rooms: params.get('rooms') || 'general', user: params.get('user') || '' });
    if (last) q.set('last_event_id', last);
    const source = new EventSource(`/api/events?${q}`);
    source.addEventListener('message', (e) => {
      const m = JSON.parse(e.data);
      last = String(m.id);
      onMessage(m);
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 500);
    });
  };
  open();
}
