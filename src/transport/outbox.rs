//! The outbox: messages on their way to the backend, kept in localStorage
//! so that a reload or an offline period loses nothing, and sent one at a
//! time in the order they were written.
//!
//! Each message carries a `client_id`, so a retry after an unclear failure
//! (timeout, 5xx) cannot store it twice on a backend that honours it.

use super::browser::{is_online, random, storage_get, storage_set, Listener, Waker};
use super::send::{send_message, SendResult};
use crate::backoff::Backoff;
use crate::config::Config;
use crate::protocol::{Outgoing, WireMessage};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

/// What the outbox reports to the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum OutboxEvent {
    Sent {
        client_id: String,
        stored: Option<WireMessage>,
    },
    Failed {
        client_id: String,
        reason: String,
    },
    /// A retryable failure; the next attempt is due at `retry_at` (epoch ms).
    Waiting {
        client_id: String,
        reason: String,
        retry_at: f64,
    },
    /// The outbox could not be saved (storage full or disabled): messages
    /// still go out, but would not survive a reload.
    StorageError(String),
    /// The saved outbox could not be read at start-up; it was set aside
    /// (the reason says where) and the outbox starts empty.
    Unreadable(String),
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Entry {
    room: String,
    user: String,
    text: String,
    client_id: String,
    /// Set when the backend refused the message; the user decides.
    failed: Option<String>,
    /// When it was written (epoch ms): shown as the message time.
    created: f64,
}

impl Entry {
    fn outgoing(&self) -> Outgoing {
        Outgoing {
            room: self.room.clone(),
            user: self.user.clone(),
            text: self.text.clone(),
            client_id: self.client_id.clone(),
        }
    }
}

struct State {
    cfg: Arc<Config>,
    key: String,
    entries: Vec<Entry>,
    running: bool,
    /// Set by [`Outbox::stop`]: the sender loop ends at its next step.
    stopped: bool,
    /// Client ids this tab sent or discarded (most recent 1,000).
    done: VecDeque<String>,
    backoff: Backoff,
    on_event: Rc<dyn Fn(OutboxEvent)>,
}

/// A persistent, ordered send queue.
#[derive(Clone)]
pub struct Outbox {
    state: Rc<RefCell<State>>,
    waker: Waker,
    _online: Rc<Option<Listener>>,
}

/// A message restored from storage after a reload.
pub struct Restored {
    pub out: Outgoing,
    pub created: f64,
    pub failed: Option<String>,
}

impl Outbox {
    /// Opens the outbox for this backend (the storage key includes the send
    /// URL, so one origin serving several backends keeps them apart).
    pub fn new(cfg: Arc<Config>, on_event: impl Fn(OutboxEvent) + 'static) -> Self {
        let key = format!("sse-chat.outbox:{}", cfg.send_url);
        // A corrupt entry (edited by hand, older format) is set aside, not
        // thrown away: it stays under a backup key for inspection.
        let mut unreadable = None;
        let entries = match storage_get(&key) {
            None => Vec::new(),
            Some(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                let backup = format!("{key}.corrupt");
                let _ = storage_set(&backup, &text);
                unreadable = Some(format!("{e}; kept as localStorage[\"{backup}\"]"));
                Vec::new()
            }),
        };
        let state = Rc::new(RefCell::new(State {
            cfg,
            key,
            entries,
            running: false,
            stopped: false,
            done: VecDeque::new(),
            backoff: Backoff::default(),
            on_event: Rc::new(on_event),
        }));
        let waker = Waker::default();
        let online = Listener::on_window("online", {
            let waker = waker.clone();
            move |_| waker.wake()
        });
        let outbox = Outbox {
            state,
            waker,
            _online: Rc::new(online),
        };
        if let Some(why) = unreadable {
            outbox.emit(OutboxEvent::Unreadable(why));
        }
        outbox
    }

    /// Messages left from an earlier page load, oldest first.
    pub fn restored(&self) -> Vec<Restored> {
        self.state
            .borrow()
            .entries
            .iter()
            .map(|e| Restored {
                out: e.outgoing(),
                created: e.created,
                failed: e.failed.clone(),
            })
            .collect()
    }

    /// Queues a message and starts sending.
    pub fn push(&self, out: Outgoing, created: f64) {
        self.state.borrow_mut().entries.push(Entry {
            room: out.room,
            user: out.user,
            text: out.text,
            client_id: out.client_id,
            failed: None,
            created,
        });
        self.save();
        self.start();
    }

    /// Sends a refused message again, now.
    pub fn retry(&self, client_id: &str) {
        if let Some(e) = self
            .state
            .borrow_mut()
            .entries
            .iter_mut()
            .find(|e| e.client_id == client_id)
        {
            e.failed = None;
        }
        self.save();
        // The user asked: no backoff wait.
        self.waker.wake();
        self.start();
    }

    /// Drops an unsent message.
    pub fn discard(&self, client_id: &str) {
        self.forget(client_id);
        self.save();
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

    /// Starts the sender if idle. A backoff in progress (a server's
    /// Retry-After included) is honoured: only coming back online or the
    /// user's explicit retry cut it short.
    pub fn start(&self) {
        if self.state.borrow().stopped {
            return;
        }
        let already = std::mem::replace(&mut self.state.borrow_mut().running, true);
        if !already {
            let this = self.clone();
            wasm_bindgen_futures::spawn_local(async move { this.drive().await });
        }
    }

    fn emit(&self, event: OutboxEvent) {
        let f = self.state.borrow().on_event.clone();
        f(event);
    }

    /// Writes the outbox. Another tab of the same chat shares the storage
    /// key, so its entries are kept: read, merge by client id, write.
    fn save(&self) {
        let (key, json) = {
            let s = self.state.borrow();
            let stored: Vec<Entry> = storage_get(&s.key)
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default();
            let mut merged = s.entries.clone();
            for e in stored {
                let ours = merged.iter().any(|m| m.client_id == e.client_id);
                if !ours && !s.done.contains(&e.client_id) {
                    merged.push(e);
                }
            }
            merged.sort_by(|a, b| a.created.total_cmp(&b.created));
            (
                s.key.clone(),
                serde_json::to_string(&merged).unwrap_or_else(|_| "[]".into()),
            )
        };
        if let Err(e) = storage_set(&key, &json) {
            self.emit(OutboxEvent::StorageError(e));
        }
    }

    /// Stops sending (the page or component goes away); what is unsent
    /// stays in storage for the next start.
    pub fn stop(&self) {
        self.state.borrow_mut().stopped = true;
        self.waker.wake();
    }

    async fn drive(&self) {
        loop {
            let (cfg, next) = {
                let mut s = self.state.borrow_mut();
                let next = s
                    .entries
                    .iter()
                    .find(|e| e.failed.is_none())
                    .map(Entry::outgoing);
                if next.is_none() || s.stopped {
                    s.running = false;
                    return;
                }
                (s.cfg.clone(), next)
            };
            let Some(out) = next else { return };
            if !is_online() {
                // Woken by the `online` event; the timeout re-checks anyway.
                self.waker.sleep(30_000.0).await;
                continue;
            }
            match send_message(&cfg, &out).await {
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
                        retry_at: super::browser::now_ms() + delay,
                    });
                    self.waker.sleep(delay).await;
                }
                SendResult::Rejected(reason) => {
                    if let Some(e) = self
                        .state
                        .borrow_mut()
                        .entries
                        .iter_mut()
                        .find(|e| e.client_id == out.client_id)
                    {
                        e.failed = Some(reason.clone());
                    }
                    self.save();
                    self.emit(OutboxEvent::Failed {
                        client_id: out.client_id,
                        reason,
                    });
                }
            }
        }
    }
}
