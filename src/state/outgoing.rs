//! Our own messages on their way: shown at once as pending, confirmed by
//! the POST answer or by their echo on the stream (whichever comes first,
//! the other adds nothing), failed with the backend's reason, retried or
//! discarded.

use super::chat_state::ChatState;
use super::dedupe::{fingerprint, DedupeKey};
use super::message::{Message, Status};
use super::room::AWAITING_ECHO_KEPT;
use crate::errors::RequestError;
use crate::protocol::{Outgoing, Quote, WireMessage};

/// Window in which an echo without client id is matched to a pending send.
pub const ECHO_WINDOW_MS: f64 = 60_000.0;

impl ChatState {
    /// Shows a message the user just sent, as pending, in its room.
    pub fn add_pending(&mut self, out: &Outgoing, now: f64) {
        self.join(&out.room);
        let reply = out.reply_to.as_deref().map(|id| {
            self.quote_of(&out.room, id).unwrap_or_else(|| Quote {
                id: id.into(),
                ..Quote::default()
            })
        });
        let msg = Message::pending(self.alloc_uid(), out, now, reply);
        if let Some(room) = self.room_mut(&out.room) {
            room.log.push_back(msg);
            room.unsent.push(out.client_id.clone());
        }
    }

    /// Another tab queued `out`: shown here too, as pending, if this tab
    /// follows its room and does not show it already.
    pub fn add_pending_elsewhere(&mut self, out: &Outgoing, created: f64) {
        if self.room(&out.room).is_some() && !self.knows_own(&out.client_id) {
            self.add_pending(out, created);
        }
    }

    /// Whether one of our messages with this client id is shown.
    pub fn knows_own(&self, client_id: &str) -> bool {
        self.rooms
            .iter()
            .any(|r| r.log.position(|m| m.is_own(client_id)).is_some())
    }

    /// The backend accepted a message; `stored` is its copy when it returned one.
    pub fn send_succeeded(&mut self, client_id: &str, stored: Option<WireMessage>) {
        let room = self.find_own_in_room(client_id).map(|(room, _)| room);
        let stored = match (room, stored) {
            (Some(room), Some(s)) => Some(self.describe_reply(&room, s)),
            (_, stored) => stored,
        };
        let Some((room, x)) = self.find_own_in_room(client_id) else {
            return;
        };
        // Sent already means its echo confirmed it; otherwise the echo
        // may still come, with or without an id.
        let echo_seen = x.status == Status::Sent;
        if x.status != Status::Sent
            || (x.id.is_none() && stored.as_ref().is_some_and(|s| s.id.is_some()))
        {
            x.status = Status::Sent;
            if let Some(s) = &stored {
                x.id = s.id.as_deref().map(Box::from).or(x.id.take());
                if let Some(ts) = s.ts {
                    x.ts = ts;
                }
                if s.extra.is_some() {
                    x.extra = s.extra.clone();
                }
            }
            x.version += 1;
        }
        self.mark_confirmed(&room, client_id);
        let epoch = self.room(&room).map_or(0, |r| r.epoch);
        // The echo on the stream must not add a second copy: by its key
        // when the answer told one, else by content (see confirm_echo).
        if let Some(s) = &stored {
            if let Some(k) = DedupeKey::of(&room, epoch, s) {
                self.seen.insert_with(k, fingerprint(s));
            }
        }
        if !echo_seen {
            self.await_echo(&room, client_id);
        }
    }

    /// Our message was accepted before its echo came: the echo may carry
    /// neither our client id nor the id the answer told (or the answer told
    /// none), so it is matched by content.
    fn await_echo(&mut self, room: &str, client_id: &str) {
        if let Some(r) = self.room_mut(room) {
            r.awaiting_echo.push_back(client_id.to_string());
            if r.awaiting_echo.len() > AWAITING_ECHO_KEPT {
                r.awaiting_echo.pop_front();
            }
        }
    }

    /// The backend refused a message for good.
    pub fn send_failed(&mut self, client_id: &str, reason: RequestError) {
        if let Some(x) = self.find_own(client_id) {
            x.status = Status::Failed(Box::new(reason));
            x.version += 1;
        }
    }

    /// The user retries a failed message: pending again.
    pub fn retry(&mut self, client_id: &str) {
        if let Some(x) = self.find_own(client_id) {
            if matches!(x.status, Status::Failed(_)) {
                x.status = Status::Pending;
                x.version += 1;
            }
        }
    }

    /// The user discards an unsent message (a sent one cannot be).
    pub fn discard(&mut self, client_id: &str) {
        for r in &mut self.rooms {
            if let Some(i) = r
                .log
                .position(|m| m.is_own(client_id) && m.status != Status::Sent)
            {
                r.log.remove(i);
                r.unsent.retain(|c| c != client_id);
                return;
            }
        }
    }

    /// Our message with `client_id` and the name of its room.
    fn find_own_in_room(&mut self, client_id: &str) -> Option<(String, &mut Message)> {
        self.rooms.iter_mut().find_map(|r| {
            let i = r.log.position(|m| m.is_own(client_id))?;
            Some((r.name.clone(), r.log.get_mut(i)?))
        })
    }

    fn find_own(&mut self, client_id: &str) -> Option<&mut Message> {
        self.rooms.iter_mut().find_map(|r| {
            let i = r.log.position(|m| m.is_own(client_id))?;
            r.log.get_mut(i)
        })
    }

    /// Our message `client_id` in `room` needs nothing more.
    fn mark_confirmed(&mut self, room: &str, client_id: &str) {
        if let Some(r) = self.room_mut(room) {
            r.unsent.retain(|c| c != client_id);
            r.awaiting_echo.retain(|c| c != client_id);
        }
        self.seen
            .insert(DedupeKey::Confirmed(client_id.to_string()));
    }

    /// Matches an incoming message to one of ours and confirms it in place:
    /// by client id (pending, or already confirmed by the POST answer), else
    /// (for backends that echo none) by room, sender and text within
    /// [`ECHO_WINDOW_MS`]. True when it was an echo.
    pub(super) fn confirm_echo(&mut self, room_name: &str, m: &WireMessage, now: f64) -> bool {
        let known = m
            .client_id
            .as_deref()
            .is_some_and(|c| self.seen.is_confirmed(c));
        let from_me = m.user.as_deref() == Some(self.me.as_str());
        let Some(room) = self.room_mut(room_name) else {
            return false;
        };
        let pos = match &m.client_id {
            Some(cid) if known || room.unsent.contains(cid) => room.log.position(|x| x.is_own(cid)),
            Some(_) => None,
            None if !from_me || (room.unsent.is_empty() && room.awaiting_echo.is_empty()) => None,
            None => echo_by_content(room.log.iter(), &m.text, now, &room.awaiting_echo),
        };
        let Some(x) = pos.and_then(|i| room.log.get_mut(i)) else {
            // A confirmed message we no longer hold (dropped): still an echo.
            return known;
        };
        let changed = x.status != Status::Sent || (x.id.is_none() && m.id.is_some());
        x.status = Status::Sent;
        if x.id.is_none() {
            x.id = m.id.as_deref().map(Box::from);
        }
        if let Some(ts) = m.ts {
            x.ts = ts;
        }
        if m.extra.is_some() && x.extra != m.extra {
            x.extra = m.extra.clone();
            x.version += 1;
        } else if changed {
            x.version += 1;
        }
        if let Some(cid) = x.client_id.clone() {
            self.mark_confirmed(room_name, &cid);
        }
        true
    }
}

/// Index of our message with `text`, written within the echo window,
/// whose echo has not come: unsent, or accepted and `awaiting` its echo.
/// Such messages are recent: the search stops at the first confirmed
/// message older than the window.
fn echo_by_content<'a>(
    log: impl DoubleEndedIterator<Item = &'a Message> + ExactSizeIterator,
    text: &str,
    now: f64,
    awaiting: &std::collections::VecDeque<String>,
) -> Option<usize> {
    let len = log.len();
    let waits = |x: &Message| {
        x.status != Status::Sent
            || x.client_id
                .as_deref()
                .is_some_and(|c| awaiting.iter().any(|a| a == c))
    };
    for (back, x) in log.rev().enumerate() {
        if x.status == Status::Sent && now - x.ts > ECHO_WINDOW_MS {
            return None;
        }
        if x.mine && &*x.text == text && now - x.ts <= ECHO_WINDOW_MS && waits(x) {
            return Some(len - 1 - back);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::chat_state::fixtures::*;

    fn refused(detail: &str) -> RequestError {
        RequestError::Http {
            status: 422,
            detail: Some(detail.into()),
        }
    }

    fn last(s: &ChatState) -> Message {
        s.active_room().unwrap().log().last().unwrap().clone()
    }

    #[test]
    fn a_message_queued_in_another_tab_shows_once_and_only_in_followed_rooms() {
        let mut s = state();
        s.add_pending_elsewhere(&outgoing("hi", "c1"), 10.0);
        s.add_pending_elsewhere(&outgoing("hi", "c1"), 10.0);
        assert_eq!(
            s.active_room().unwrap().log().len(),
            1,
            "told twice, shown once"
        );
        assert!(s.knows_own("c1") && !s.knows_own("c2"));
        let mut elsewhere = outgoing("there", "c3");
        elsewhere.room = "unfollowed".into();
        s.add_pending_elsewhere(&elsewhere, 10.0);
        assert!(
            s.room("unfollowed").is_none(),
            "not joined by another tab's send"
        );
        // Its echo confirms it, as for a message sent here.
        let mut echo = wire(Some("5"), "general", "me", "hi");
        echo.client_id = Some("c1".into());
        s.ingest(batch(vec![echo]), 20.0);
        let log = s.active_room().unwrap().log();
        assert_eq!(log.len(), 1);
        assert_eq!(last(&s).status, Status::Sent);
    }

    #[test]
    fn pending_then_confirmed_by_response_then_echo_is_not_doubled() {
        let mut s = state();
        s.add_pending(&outgoing("hi", "c1"), 10.0);
        let m = last(&s);
        assert_eq!((m.status.clone(), m.mine), (Status::Pending, true));
        let mut stored = wire(Some("9"), "general", "me", "hi");
        stored.client_id = Some("c1".into());
        s.send_succeeded("c1", Some(stored.clone()));
        let m2 = last(&s);
        assert_eq!(
            (m2.status, m2.id.as_deref(), m2.uid),
            (Status::Sent, Some("9"), m.uid)
        );
        assert!(m2.version > m.version);
        let report = s.ingest(batch(vec![stored]), 20.0);
        assert_eq!(report.duplicates, 1);
        assert_eq!(texts(&s, "general"), ["hi"]);
    }

    #[test]
    fn echo_before_response_and_echo_without_client_id() {
        let mut s = state();
        s.add_pending(&outgoing("a", "c1"), 10.0);
        let mut echo = wire(Some("5"), "general", "me", "a");
        echo.client_id = Some("c1".into());
        s.ingest(batch(vec![echo.clone()]), 20.0);
        s.send_succeeded("c1", Some(echo));
        assert_eq!(texts(&s, "general"), ["a"]);
        assert_eq!(last(&s).status, Status::Sent);

        s.add_pending(&outgoing("b", "c2"), 100.0);
        s.ingest(batch(vec![wire(Some("6"), "general", "me", "b")]), 200.0);
        assert_eq!(
            texts(&s, "general"),
            ["a", "b"],
            "matched on room, user and text"
        );
        // Outside the window it is a separate message.
        s.add_pending(&outgoing("c", "c3"), 0.0);
        s.ingest(
            batch(vec![wire(Some("7"), "general", "me", "c")]),
            ECHO_WINDOW_MS + 1.0,
        );
        assert_eq!(texts(&s, "general"), ["a", "b", "c", "c"]);
    }

    #[test]
    fn failed_retry_discard() {
        let mut s = state();
        s.add_pending(&outgoing("x", "c1"), 0.0);
        s.send_failed("c1", refused("text is empty"));
        assert_eq!(
            last(&s).status,
            Status::Failed(Box::new(refused("text is empty")))
        );
        assert_eq!(
            refused("text is empty").to_string(),
            "HTTP 422: text is empty"
        );
        s.retry("c1");
        assert_eq!(last(&s).status, Status::Pending);
        s.send_failed("c1", refused("again"));
        s.discard("c1");
        assert!(s.active_room().unwrap().log().is_empty());
        // Sent messages cannot be discarded.
        s.add_pending(&outgoing("y", "c2"), 0.0);
        s.send_succeeded("c2", None);
        s.discard("c2");
        assert_eq!(texts(&s, "general"), ["y"]);
    }

    #[test]
    fn a_late_echo_of_a_confirmed_message_is_not_a_second_copy() {
        let mut s = state();
        s.add_pending(&outgoing("hi", "c1"), 0.0);
        // The backend accepted it without returning its stored copy...
        s.send_succeeded("c1", None);
        // ...and the echo (with an id, and the client id) comes later.
        let mut echo = wire(Some("9"), "general", "me", "hi");
        echo.client_id = Some("c1".into());
        s.ingest(batch(vec![echo]), 10.0);
        assert_eq!(texts(&s, "general"), ["hi"]);
        assert_eq!(last(&s).id.as_deref(), Some("9"), "id learnt from the echo");
    }

    #[test]
    fn unsent_messages_stay_below_new_arrivals() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "general", "a", "first")]), 0.0);
        s.add_pending(&outgoing("mine", "c1"), 0.0);
        s.ingest(batch(vec![wire(Some("2"), "general", "b", "second")]), 0.0);
        assert_eq!(texts(&s, "general"), ["first", "second", "mine"]);
    }

    #[test]
    fn answer_first_then_an_echo_without_any_ids_is_not_a_second_copy() {
        let mut s = state();
        s.add_pending(&outgoing("hi", "c1"), 1_000.0);
        // {"ok":true}: accepted, nothing returned...
        s.send_succeeded("c1", None);
        // ...then the echo: our name, no client id, no id at all.
        let mut echo = wire(None, "general", "me", "hi");
        echo.ts = Some(1_500.0);
        let report = s.ingest(batch(vec![echo]), 2_000.0);
        assert_eq!(texts(&s, "general"), ["hi"]);
        assert!(last(&s).mine, "still marked as ours");
        assert!(
            report.arrived.is_empty(),
            "our own message is not announced"
        );
        // The same text again later is a new message, and its echo matches it.
        s.add_pending(&outgoing("hi", "c2"), 3_000.0);
        s.send_succeeded("c2", None);
        s.ingest(batch(vec![wire(None, "general", "me", "hi")]), 3_500.0);
        assert_eq!(texts(&s, "general"), ["hi", "hi"]);
    }

    #[test]
    fn answer_with_an_id_then_an_echo_without_one_is_not_a_second_copy() {
        let mut s = state();
        s.add_pending(&outgoing("yo", "c1"), 1_000.0);
        s.send_succeeded("c1", Some(wire(Some("7"), "general", "me", "yo")));
        let mut echo = wire(None, "general", "me", "yo");
        echo.ts = None;
        s.ingest(batch(vec![echo]), 2_000.0);
        assert_eq!(texts(&s, "general"), ["yo"]);
        assert_eq!(last(&s).id.as_deref(), Some("7"));
    }

    #[test]
    fn after_its_echo_an_accepted_message_waits_for_nothing() {
        let mut s = state();
        s.add_pending(&outgoing("hey", "c1"), 1_000.0);
        s.ingest(batch(vec![wire(None, "general", "me", "hey")]), 1_200.0);
        s.send_succeeded("c1", None);
        // Another "hey" from us (another tab) is a message, not an echo.
        s.ingest(
            batch(vec![wire(Some("9"), "general", "me", "hey")]),
            1_400.0,
        );
        assert_eq!(texts(&s, "general"), ["hey", "hey"]);
    }

    #[test]
    fn someone_else_with_our_text_is_not_our_echo() {
        let mut s = state();
        s.add_pending(&outgoing("same", "c1"), 0.0);
        s.ingest(batch(vec![wire(Some("1"), "general", "bob", "same")]), 10.0);
        assert_eq!(texts(&s, "general"), ["same", "same"]);
        assert_eq!(last(&s).status, Status::Pending);
    }
}
