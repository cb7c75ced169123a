//! The incoming stream: one native `EventSource` per tab, wrapped so that
//! nothing is lost whatever the network or the server does.
//!
//! What the native object does not do, this does:
//! - it gives up for good on an HTTP error or a wrong content type: we
//!   recreate it with exponential backoff and full jitter (reset on open);
//! - a recreated EventSource cannot send `Last-Event-ID`: we pass the last
//!   id in the configured resume query parameter;
//! - SSE comments are invisible to JavaScript: once the configured ping
//!   event has been seen (a backend that never pings may simply be quiet),
//!   a stream silent for longer than the stall timeout is reopened;
//! - `lastEventId` carries over to events without an `id:`: each event is
//!   handed on with the id it carried itself, so a message never takes an
//!   id that belongs to another;
//! - it keeps retrying while the browser is offline: we pause and resume on
//!   `online`, and retry at once when the page becomes visible again.
//!
//! Listeners and closures are owned by [`EventStream`] and released when the
//! source is replaced or the stream is closed (no `forget()`); dropping it
//! closes it, so an owner going away cannot leave it open.

use super::browser::{is_online, now_ms, random, Listener, Timer};
use crate::backoff::{stream_proved_healthy, Backoff};
use crate::config::{with_query_param, Config};
use crate::errors::StreamError;
use crate::protocol::{own_event_id, resumable_id};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, EventSourceInit, MessageEvent};

pub use super::stream_types::{ConnState, RawEvent};

struct Inner {
    cfg: Arc<Config>,
    url: String,
    source: Option<EventSource>,
    source_listeners: Vec<Listener>,
    last_id: Option<String>,
    backoff: Backoff,
    retry_timer: Option<Timer>,
    stall_timer: Option<Timer>,
    last_activity: f64,
    /// `lastEventId` of the previous event on the current source.
    source_last_id: String,
    /// When the current source opened (epoch ms), and whether it delivered
    /// an event: only then is it healthy enough to reset the backoff.
    opened_at: Option<f64>,
    delivered: bool,
    /// A ping event has been seen: the backend sends heartbeats, so
    /// silence means a dead connection. Until then it may just be quiet.
    pings_seen: bool,
    state: RwSignal<ConnState>,
    sink: Rc<dyn Fn(RawEvent)>,
    closed: bool,
}

/// A self-healing SSE connection, closed when dropped.
pub struct EventStream {
    inner: Rc<RefCell<Inner>>,
    _window_listeners: Vec<Listener>,
}

impl EventStream {
    /// Opens `url` (placeholders already filled), reporting its state in
    /// `state`. Every event of a type the configuration names is passed to
    /// `sink`.
    pub fn open(
        cfg: Arc<Config>,
        url: String,
        state: RwSignal<ConnState>,
        sink: impl Fn(RawEvent) + 'static,
    ) -> Self {
        EventStream::open_after(cfg, url, None, state, sink)
    }

    /// [`EventStream::open`], resuming after `last_id` (a tab taking the
    /// stream over from another resumes where the events it got end).
    pub fn open_after(
        cfg: Arc<Config>,
        url: String,
        last_id: Option<String>,
        state: RwSignal<ConnState>,
        sink: impl Fn(RawEvent) + 'static,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            cfg,
            url,
            source: None,
            source_listeners: Vec::new(),
            last_id: last_id.filter(|id| resumable_id(id)),
            backoff: Backoff::default(),
            retry_timer: None,
            stall_timer: None,
            last_activity: now_ms(),
            source_last_id: String::new(),
            opened_at: None,
            delivered: false,
            pings_seen: false,
            state,
            sink: Rc::new(sink),
            closed: false,
        }));
        let weak = Rc::downgrade(&inner);
        let on = |f: fn(&Rc<RefCell<Inner>>)| {
            let weak = weak.clone();
            move |_: web_sys::Event| {
                if let Some(inner) = weak.upgrade() {
                    f(&inner)
                }
            }
        };
        let window_listeners = [
            Listener::on_window("online", on(connect_now)),
            Listener::on_window("offline", on(go_offline)),
            Listener::on_document("visibilitychange", on(on_visible)),
            // Entering the back/forward cache closes the stream cleanly;
            // coming back from it reopens at once, resuming from the last id.
            Listener::on_window("pagehide", on(|i| drop_source(&mut i.borrow_mut()))),
            Listener::on_window("pageshow", {
                let weak = weak.clone();
                move |ev: web_sys::Event| {
                    let restored = ev
                        .dyn_ref::<web_sys::PageTransitionEvent>()
                        .is_some_and(|e| e.persisted());
                    if let (true, Some(inner)) = (restored, weak.upgrade()) {
                        connect_now(&inner)
                    }
                }
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        if is_online() {
            create_source(&inner);
        } else {
            go_offline(&inner);
        }
        EventStream {
            inner,
            _window_listeners: window_listeners,
        }
    }

    /// The id of the last event received (what a resume starts after).
    pub fn last_id(&self) -> Option<String> {
        self.inner.borrow().last_id.clone()
    }

    /// Points the stream at a new URL (e.g. the followed rooms changed) and
    /// reconnects at once. With `resume == false` the resume id is dropped,
    /// so the backend replays its recent history (used when the backend has
    /// no history URL to fetch a newly joined room's past from).
    pub fn set_url(&self, url: String, resume: bool) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.url == url && resume {
                return;
            }
            inner.url = url;
            if !resume {
                inner.last_id = None;
            }
        }
        connect_now(&self.inner);
    }

    /// Points the stream at `url` and reconnects at once, resuming after
    /// `id` (a tab missed what followed; the others drop it as duplicate).
    pub fn resume_after(&self, url: String, id: String) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.url = url;
            if resumable_id(&id) {
                inner.last_id = Some(id);
            }
        }
        connect_now(&self.inner);
    }

    /// "Retry now": skip the remaining backoff wait.
    pub fn retry_now(&self) {
        connect_now(&self.inner);
    }

    /// Closes the stream for good and releases every listener and timer.
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        drop_source(&mut inner);
        inner.retry_timer = None;
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.close();
    }
}

/// Back in view: a reconnect that was waiting goes now, and a stream that
/// has been silent past the stall timeout (a laptop woken from sleep holds
/// a dead stream that still looks open) is reopened.
fn on_visible(rc: &Rc<RefCell<Inner>>) {
    if !super::browser::is_visible() {
        return;
    }
    let (waiting, stale) = {
        let inner = rc.borrow();
        let silent = now_ms() - inner.last_activity;
        (
            matches!(inner.state.get_untracked(), ConnState::Reconnecting { .. }),
            inner.pings_seen && silent >= inner.cfg.stall_timeout_ms as f64,
        )
    };
    if waiting || stale {
        connect_now(rc)
    }
}

fn drop_source(inner: &mut Inner) {
    if let Some(s) = inner.source.take() {
        s.close();
    }
    inner.source_listeners.clear();
    inner.stall_timer = None;
}

fn connect_now(rc: &Rc<RefCell<Inner>>) {
    {
        let mut inner = rc.borrow_mut();
        if inner.closed {
            return;
        }
        inner.retry_timer = None;
        inner.backoff.reset();
    }
    create_source(rc);
}

fn go_offline(rc: &Rc<RefCell<Inner>>) {
    let mut inner = rc.borrow_mut();
    if inner.closed {
        return;
    }
    drop_source(&mut inner);
    inner.retry_timer = None;
    inner.state.set(ConnState::Offline);
}

/// The URL to open: the configured one plus, once we have seen an id, the
/// resume parameter (the browser sends the header only on its own retries).
fn resume_url(inner: &Inner) -> String {
    match (&inner.cfg.resume_param, &inner.last_id) {
        (Some(param), Some(id)) => with_query_param(&inner.url, param, id),
        _ => inner.url.clone(),
    }
}

fn create_source(rc: &Rc<RefCell<Inner>>) {
    let mut inner = rc.borrow_mut();
    if inner.closed {
        return;
    }
    drop_source(&mut inner);
    let init = EventSourceInit::new();
    init.set_with_credentials(inner.cfg.with_credentials);
    let url = resume_url(&inner);
    let source = match EventSource::new_with_event_source_init_dict(&url, &init) {
        Ok(s) => s,
        Err(e) => {
            let reason = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()));
            inner
                .state
                .set(ConnState::Failed(StreamError { reason, url }));
            return;
        }
    };
    let weak = Rc::downgrade(rc);
    let target: &web_sys::EventTarget = source.as_ref();
    let mut listeners = vec![
        Listener::new(target, "open", {
            let weak = weak.clone();
            move |_| with(&weak, on_open)
        }),
        Listener::new(target, "error", {
            let weak = weak.clone();
            move |_| with(&weak, on_error)
        }),
    ];
    let cfg = inner.cfg.clone();
    let optional = [
        &cfg.ping_event,
        &cfg.presence_event,
        &cfg.typing_event,
        &cfg.changes.update_event,
    ];
    for kind in (cfg.message_events.iter()).chain(optional.into_iter().flatten()) {
        let weak = weak.clone();
        let kind_name = kind.clone();
        let is_ping = cfg.ping_event.as_deref() == Some(kind.as_str());
        listeners.push(Listener::new(target, kind, move |ev| {
            let Some(rc) = weak.upgrade() else { return };
            let Ok(ev) = ev.dyn_into::<MessageEvent>() else {
                return;
            };
            on_event(&rc, &kind_name, ev, is_ping);
        }));
    }
    inner.source = Some(source);
    inner.source_listeners = listeners;
    inner.source_last_id.clear();
    inner.opened_at = None;
    inner.delivered = false;
    inner.last_activity = now_ms();
    if !matches!(inner.state.get_untracked(), ConnState::Reconnecting { .. }) {
        inner.state.set(ConnState::Connecting);
    }
    if inner.pings_seen {
        schedule_stall_check(&mut inner, weak);
    }
}

/// Hands one event to the sink, noting what it tells about the stream.
fn on_event(rc: &Rc<RefCell<Inner>>, kind: &str, ev: MessageEvent, is_ping: bool) {
    let data = ev.data().as_string().unwrap_or_default();
    let last_event_id = ev.last_event_id();
    let (sink, arm) = {
        let mut inner = rc.borrow_mut();
        inner.last_activity = now_ms();
        if !std::mem::replace(&mut inner.delivered, true) {
            settle_backoff(&mut inner);
        }
        let id = own_event_id(&inner.source_last_id, &last_event_id).to_string();
        inner.source_last_id.clone_from(&last_event_id);
        // An id too long to send back is not reflected into the resume URL:
        // the last usable one stays (a longer replay is deduplicated).
        if resumable_id(&last_event_id) && inner.last_id.as_ref() != Some(&last_event_id) {
            inner.last_id = Some(last_event_id.clone());
        }
        // Stall detection arms at the first heartbeat.
        let arm = is_ping && !std::mem::replace(&mut inner.pings_seen, true);
        (inner.sink.clone(), (arm, id))
    };
    let (arm, id) = arm;
    if arm {
        let weak = Rc::downgrade(rc);
        schedule_stall_check(&mut rc.borrow_mut(), weak);
    }
    sink(RawEvent {
        kind: kind.to_string(),
        data,
        last_event_id,
        id,
    });
}

fn with(weak: &Weak<RefCell<Inner>>, f: fn(&Rc<RefCell<Inner>>)) {
    if let Some(rc) = weak.upgrade() {
        f(&rc)
    }
}

fn on_open(rc: &Rc<RefCell<Inner>>) {
    let mut inner = rc.borrow_mut();
    // Not a reset yet: see `settle_backoff`.
    inner.opened_at = Some(now_ms());
    inner.last_activity = now_ms();
    inner.state.set(ConnState::Open);
}

/// Resets the backoff once the open source proved healthy (an event, or
/// long enough alive), so a server that accepts and closes at once is
/// retried ever more slowly, not every second forever.
fn settle_backoff(inner: &mut Inner) {
    let open_ms = inner.opened_at.map_or(0.0, |t| now_ms() - t);
    if inner.opened_at.is_some() && stream_proved_healthy(open_ms, inner.delivered) {
        inner.backoff.reset();
    }
}

fn on_error(rc: &Rc<RefCell<Inner>>) {
    let browser_gave_up = {
        let inner = rc.borrow();
        inner
            .source
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED)
    };
    if !is_online() {
        go_offline(rc);
        return;
    }
    // The browser's own retry keeps no backoff and, without a resume
    // parameter, is the only way to send Last-Event-ID. Take over whenever
    // we can resume by query parameter, and always when the browser gave up.
    let can_resume = rc.borrow().cfg.resume_param.is_some();
    if browser_gave_up || can_resume {
        schedule_reconnect(rc);
    } else {
        let inner = rc.borrow_mut();
        let attempt = inner.backoff.attempt() + 1;
        inner.state.set(ConnState::Reconnecting {
            attempt,
            retry_at: now_ms() + 3_000.0,
        });
    }
}

fn schedule_reconnect(rc: &Rc<RefCell<Inner>>) {
    let mut inner = rc.borrow_mut();
    if inner.closed {
        return;
    }
    settle_backoff(&mut inner);
    drop_source(&mut inner);
    let delay = inner.backoff.next_delay(random());
    let attempt = inner.backoff.attempt();
    inner.state.set(ConnState::Reconnecting {
        attempt,
        retry_at: now_ms() + delay,
    });
    let weak = Rc::downgrade(rc);
    inner.retry_timer = Timer::new(delay, move || with(&weak, create_source));
}

fn schedule_stall_check(inner: &mut Inner, weak: Weak<RefCell<Inner>>) {
    let timeout = inner.cfg.stall_timeout_ms as f64;
    let due = inner.last_activity + timeout - now_ms();
    inner.stall_timer = Timer::new(due.max(250.0), move || {
        let Some(rc) = weak.upgrade() else { return };
        let stalled = {
            let inner = rc.borrow();
            now_ms() - inner.last_activity >= timeout
        };
        if stalled {
            // Silent past the heartbeat window: the connection is dead even
            // if the socket looks open (proxies, sleeping laptops).
            schedule_reconnect(&rc);
        } else {
            let mut inner = rc.borrow_mut();
            schedule_stall_check(&mut inner, Rc::downgrade(&rc));
        }
    });
}
