//! The outbox: messages on their way to the backend, kept in localStorage
//! so that a reload or an offline period loses nothing, and sent one at a
//! time in the order they were written.
//!
//! Each message carries a `client_id`, so a retry after an unclear failure
//! (timeout, 5xx) cannot store it twice on a backend that honours it.
//!
//! Dropping the [`Outbox`] stops the sender and aborts a POST in flight;
//! what is unsent stays in storage for the next page load.

use super::abort::AbortOnDrop;
use super::browser::{is_online, now_ms, random, Listener, Waker};
use super::outbox_types::{Entry, SavedReason};
pub use super::outbox_types::{OutboxEvent, Restored};
use super::send::{send_message, SendResult};
use super::storage::{self, keys};
use crate::backoff::Backoff;
use crate::config::Config;
use crate::errors::RequestError;
use crate::protocol::Outgoing;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;

struct State {
    cfg: Arc<Config>,
    key: String,
    /// This tab's id: the owner of what it sends.
    tab: String,
    /// What this tab sends: its own messages and those it adopted.
    entries: Vec<Entry>,
    /// What storage held at start-up (every tab's), shown until sent.
    saved: Vec<Entry>,
    running: bool,
    /// Set by [`Outbox::stop`]: the sender loop ends at its next step.
    stopped: bool,
    /// Client ids this tab sent or discarded (most recent 1,000).
    done: VecDeque<String>,
    backoff: Backoff,
    on_event: Rc<dyn Fn(OutboxEvent)>,
}

/// What the sender task shares with the handle.
struct Shared {
    state: RefCell<State>,
    waker: Waker,
    /// Aborts the POST in flight when the outbox goes away.
    abort: AbortOnDrop,
}

/// What storage holds under `key` (every tab's entries); `None` when
/// nothing or nothing readable is there.
fn stored_entries(key: &str) -> Option<Vec<Entry>> {
    serde_json::from_str(&storage::get(key)?).ok()
}

/// A persistent, ordered send queue; stops (and aborts its POST in flight)
/// when dropped.
pub struct Outbox {
    shared: Rc<Shared>,
    _listeners: Vec<Listener>,
}

impl Outbox {
    /// Opens the outbox for this backend (the storage key includes the send
    /// URL, so one origin serving several backends keeps them apart) in the
    /// tab `tab`. It sends only what this tab queues until it
    /// [`Outbox::adopt`]s what storage holds.
    pub fn new(cfg: Arc<Config>, tab: String, on_event: impl Fn(OutboxEvent) + 'static) -> Self {
        let key = keys::outbox(cfg.send_url.as_deref().unwrap_or_default());
        // A corrupt entry (edited by hand, older format) is set aside, not
        // thrown away: it stays under a backup key for inspection.
        let mut unreadable = None;
        let saved = match storage::get(&key) {
            None => Vec::new(),
            Some(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                let backup_key = keys::outbox_backup(&key);
                let _ = storage::set(&backup_key, &text);
                unreadable = Some(OutboxEvent::Unreadable {
                    error: e.to_string(),
                    backup_key,
                });
                Vec::new()
            }),
        };
        let shared = Rc::new(Shared {
            state: RefCell::new(State {
                cfg,
                key,
                tab,
                entries: Vec::new(),
                saved,
                running: false,
                stopped: false,
                done: VecDeque::new(),
                backoff: Backoff::default(),
                on_event: Rc::new(on_event),
            }),
            waker: Waker::default(),
            abort: AbortOnDrop::new(),
        });
        let online = Listener::on_window("online", {
            let waker = shared.waker.clone();
            move |_| waker.wake()
        });
        let restored = Listener::on_window("pageshow", {
            let weak = Rc::downgrade(&shared);
            move |ev: web_sys::Event| {
                let persisted = ev
                    .dyn_ref::<web_sys::PageTransitionEvent>()
                    .is_some_and(|e| e.persisted());
                if let (true, Some(shared)) = (persisted, weak.upgrade()) {
                    Outbox::give_up_adopted(&shared);
                }
            }
        });
        if let Some(event) = unreadable {
            shared.emit(event);
        }
        Outbox {
            shared,
            _listeners: online.into_iter().chain(restored).collect(),
        }
    }

    /// Messages of `user` storage held at start-up (left by an earlier
    /// page load, or queued by another open tab), oldest first.
    pub fn restored(&self, user: &str) -> Vec<Restored> {
        self.shared
            .state
            .borrow()
            .saved
            .iter()
            .filter(|e| e.user == user)
            .map(Entry::restored)
            .collect()
    }

    /// Takes over, and starts sending, every stored message of `user`
    /// whose tab is not among `live` (closed, crashed, or from an earlier
    /// page load). Returns what it took.
    pub fn adopt(&self, user: &str, live: &[String]) -> Vec<Restored> {
        self.adopt_where(user, |owner| {
            owner.is_none_or(|o| !live.iter().any(|l| l == o))
        })
    }

    /// Takes over the stored messages of `user` that tab `gone` left.
    pub fn adopt_from(&self, user: &str, gone: &str) -> Vec<Restored> {
        self.adopt_where(user, |owner| owner == Some(gone))
    }

    /// Another tab sent or discarded `client_id`: not this tab's to send
    /// any more (it may have adopted it from here).
    pub fn done_elsewhere(&self, client_id: &str) {
        let ours = self
            .shared
            .state
            .borrow()
            .entries
            .iter()
            .any(|e| e.client_id == client_id);
        if ours {
            self.shared.forget(client_id);
            self.shared.save();
        }
    }

    fn adopt_where(&self, user: &str, orphaned: impl Fn(Option<&str>) -> bool) -> Vec<Restored> {
        let adopted: Vec<Entry> = {
            let mut s = self.shared.state.borrow_mut();
            let stored = stored_entries(&s.key).unwrap_or_default();
            let tab = s.tab.clone();
            // Another user's messages (another nickname in another tab on
            // this backend) are never ours to send.
            let orphans: Vec<Entry> = stored
                .into_iter()
                .filter(|e| e.user == user && e.owner.as_deref() != Some(tab.as_str()))
                .filter(|e| orphaned(e.owner.as_deref()))
                .filter(|e| !s.done.contains(&e.client_id))
                .filter(|e| !s.entries.iter().any(|m| m.client_id == e.client_id))
                .map(|e| Entry {
                    owner: Some(tab.clone()),
                    ..e
                })
                .collect();
            s.entries.extend(orphans.iter().cloned());
            oldest_first(&mut s.entries);
            orphans
        };
        if !adopted.is_empty() {
            self.shared.save();
            self.start();
        }
        adopted.iter().map(Entry::restored).collect()
    }

    /// Back from the back/forward cache: what another tab adopted meanwhile
    /// (stored under its name, or already sent and gone from storage) is
    /// not this tab's to send any more.
    fn give_up_adopted(shared: &Shared) {
        let mut s = shared.state.borrow_mut();
        // Unreadable or empty storage tells nothing: keep sending.
        let Some(stored) = stored_entries(&s.key) else {
            return;
        };
        let tab = s.tab.clone();
        s.entries.retain(|e| {
            stored
                .iter()
                .any(|st| st.client_id == e.client_id && st.owner.as_deref() == Some(tab.as_str()))
        });
    }

    /// Queues a message and starts sending.
    pub fn push(&self, out: Outgoing, created: f64) {
        let mut s = self.shared.state.borrow_mut();
        let owner = Some(s.tab.clone());
        s.entries.push(Entry {
            room: out.room,
            user: out.user,
            text: out.text,
            client_id: out.client_id,
            failed: None,
            created,
            owner,
            reply_to: out.reply_to,
        });
        drop(s);
        self.shared.save();
        self.start();
    }

    /// Sends a refused message again, now.
    pub fn retry(&self, client_id: &str) {
        self.shared.set_failed(client_id, None);
        self.shared.save();
        // The user asked: no backoff wait.
        self.shared.waker.wake();
        self.start();
    }

    /// Drops an unsent message.
    pub fn discard(&self, client_id: &str) {
        self.shared.forget(client_id);
        self.shared.save();
    }

    /// Starts the sender if idle. A backoff in progress (a server's
    /// Retry-After included) is honoured: only coming back online or the
    /// user's explicit retry cut it short.
    pub fn start(&self) {
        let mut s = self.shared.state.borrow_mut();
        if s.stopped || std::mem::replace(&mut s.running, true) {
            return;
        }
        let shared = self.shared.clone();
        wasm_bindgen_futures::spawn_local(async move { shared.drive().await });
    }
}

impl Drop for Outbox {
    /// Stops sending (the page or component goes away); what is unsent
    /// stays in storage for the next start.
    fn drop(&mut self) {
        self.shared.state.borrow_mut().stopped = true;
        self.shared.waker.wake();
        self.shared.abort.abort();
    }
}

/// Sends go out in the order they were written. (One sort for both
/// callers: each closure passed to `sort_by` is its own copy in the wasm.)
fn oldest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| a.created.total_cmp(&b.created));
}

impl Shared {
    fn emit(&self, event: OutboxEvent) {
        let f = self.state.borrow().on_event.clone();
        f(event);
    }

    fn stopped(&self) -> bool {
        self.state.borrow().stopped
    }

    fn set_failed(&self, client_id: &str, reason: Option<RequestError>) {
        if let Some(e) = self
            .state
            .borrow_mut()
            .entries
            .iter_mut()
            .find(|e| e.client_id == client_id)
        {
            e.failed = reason.map(SavedReason::Typed);
        }
    }

    /// Removes an entry and remembers that this tab is done with it, so
    /// merging with another tab's copy of the outbox does not bring it back.
    fn forget(&self, client_id: &str) {
        let mut s = self.state.borrow_mut();
        s.entries.retain(|e| e.client_id != client_id);
        s.done.push_back(client_id.to_string());
        if s.done.len() > 1_000 {
            s.done.pop_front();
        }
    }

    /// Writes the outbox. Another tab of the same chat shares the storage
    /// key, so its entries are kept: read, merge by client id, write.
    fn save(&self) {
        let (key, json) = {
            let s = self.state.borrow();
            let stored = stored_entries(&s.key).unwrap_or_default();
            let mut merged = s.entries.clone();
            for e in stored {
                let ours = merged.iter().any(|m| m.client_id == e.client_id);
                if !ours && !s.done.contains(&e.client_id) {
                    merged.push(e);
                }
            }
            oldest_first(&mut merged);
            (
                s.key.clone(),
                serde_json::to_string(&merged).unwrap_or_else(|_| "[]".into()),
            )
        };
        if let Err(e) = storage::set(&key, &json) {
            self.emit(OutboxEvent::StorageError(e));
        }
    }

    /// The next message to send, or None when there is none or the outbox
    /// stopped (then the sender is marked idle).
    fn next(&self) -> Option<(Arc<Config>, Outgoing)> {
        let mut s = self.state.borrow_mut();
        let next = s
            .entries
            .iter()
            .find(|e| e.failed.is_none())
            .map(Entry::outgoing);
        match next {
            Some(out) if !s.stopped => Some((s.cfg.clone(), out)),
            _ => {
                s.running = false;
                None
            }
        }
    }

    async fn drive(&self) {
        while let Some((cfg, out)) = self.next() {
            if !is_online() {
                // Woken by the `online` event; the timeout re-checks anyway.
                self.waker.sleep(30_000.0).await;
                continue;
            }
            let result = send_message(&cfg, &out, self.abort.signal().as_ref()).await;
            if self.stopped() {
                // Torn down mid-request: nobody is listening any more.
                self.state.borrow_mut().running = false;
                return;
            }
            self.settle(out, result).await;
        }
    }

    /// Acts on one send attempt's outcome.
    async fn settle(&self, out: Outgoing, result: SendResult) {
        match result {
            SendResult::Sent(stored) => {
                self.forget(&out.client_id);
                self.state.borrow_mut().backoff.reset();
                self.save();
                self.emit(OutboxEvent::Sent {
                    client_id: out.client_id,
                    stored,
                });
            }
            SendResult::Retry {
                reason,
                retry_after,
            } => {
                let delay = self
                    .state
                    .borrow_mut()
                    .backoff
                    .next_delay_after(random(), retry_after);
                self.emit(OutboxEvent::Waiting {
                    client_id: out.client_id,
                    reason,
                    retry_at: now_ms() + delay,
                });
                self.waker.sleep(delay).await;
            }
            SendResult::Rejected(reason) => {
                self.set_failed(&out.client_id, Some(reason.clone()));
                self.save();
                self.emit(OutboxEvent::Failed {
                    client_id: out.client_id,
                    reason,
                });
            }
        }
    }
}
