//! Chat state: followed rooms, their message logs, send states, unread
//! counts, presence and typing. A pure reducer (no browser types), tested
//! natively; the UI holds one [`ChatState`] in a signal and calls these
//! methods once per animation frame with a whole batch.
//!
//! Every operation is O(batch) or O(rooms), never O(history): logs are
//! append-only deques, duplicates are caught by a bounded seen-set, and the
//! view copies out only the window it shows ([`Room::window`]).

use crate::protocol::{Incoming, Outgoing, Presence, WireMessage};
use std::collections::{HashSet, VecDeque};

/// Default cap of messages kept in memory per room; older ones are dropped
/// and can be loaded again from the history URL.
pub const DEFAULT_CAP: usize = 200_000;
/// How many dedupe keys are remembered (most recent first out last).
pub const SEEN_CAPACITY: usize = 50_000;
/// Window in which an echo without client id is matched to a pending send.
pub const ECHO_WINDOW_MS: f64 = 60_000.0;
/// Consecutive messages by one sender within this gap share a group.
pub const GROUP_GAP_MS: f64 = 5.0 * 60_000.0;
/// How far back (or forward, for history) a message with a numeric id is
/// searched for its place in the log; beyond that it is simply appended.
pub const ORDER_SCAN: usize = 512;
/// Rooms one tab may follow (the reference backend's limit per stream).
pub const MAX_ROOMS: usize = 20;
/// A typing notice is shown this long unless renewed.
pub const TYPING_TTL_MS: f64 = 6_000.0;

/// Delivery state of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Confirmed by the backend (or received from it).
    Sent,
    /// Queued or in flight.
    Pending,
    /// Rejected by the backend, with its reason; the user may retry or discard.
    Failed(String),
}

/// A message as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Unique, stable within the page's life: the key of rendered rows.
    pub uid: u64,
    /// Bumped whenever this message changes (send state, id), so a keyed
    /// list re-renders just this row.
    pub version: u32,
    pub id: Option<String>,
    pub room: String,
    pub user: Option<String>,
    pub text: String,
    /// Epoch ms: the backend's time, or the local time of sending/arrival.
    pub ts: f64,
    pub client_id: Option<String>,
    pub status: Status,
    /// Sent by this browser's user.
    pub mine: bool,
}

impl Message {
    /// The row key for keyed rendering.
    pub fn key(&self) -> (u64, u32) {
        (self.uid, self.version)
    }
}

/// One followed room.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Room {
    pub name: String,
    log: VecDeque<Message>,
    /// Absolute position of `log[0]`: decreases as history is prepended,
    /// grows as the cap drops old messages. A windowed view keeps its range
    /// in absolute positions, so prepends and drops do not move it.
    base: i64,
    pub unread: usize,
    /// Older messages exist that are not in memory (dropped by the cap, or
    /// never loaded); scroll-back may fetch them.
    pub has_older: bool,
    pub present: Vec<String>,
    /// Who is typing, with the time their notice expires.
    typing: Vec<(String, f64)>,
    /// Client ids of our own messages not yet confirmed (pending or
    /// failed): few, so echo matching never scans the whole log for them.
    unsent: Vec<String>,
}

impl Room {
    fn new(name: &str) -> Self {
        Room {
            name: name.to_string(),
            has_older: true,
            ..Room::default()
        }
    }

    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Absolute position of the oldest message in memory.
    pub fn base(&self) -> i64 {
        self.base
    }

    /// Absolute position just past the newest message.
    pub fn end(&self) -> i64 {
        self.base + self.log.len() as i64
    }

    /// Messages at absolute positions `start..end` (clamped to what is in
    /// memory), with the message just before them (for grouping).
    pub fn window_abs(&self, start: i64, end: i64) -> (Option<Message>, Vec<Message>) {
        let to_index = |p: i64| (p - self.base).clamp(0, self.log.len() as i64) as usize;
        let (s, e) = (to_index(start), to_index(end));
        let before = s.checked_sub(1).and_then(|i| self.log.get(i)).cloned();
        (before, self.window(s, e))
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// Copies out messages `start..end` (clamped): what a windowed list
    /// renders. Cost is the window's size, not the log's.
    pub fn window(&self, start: usize, end: usize) -> Vec<Message> {
        let end = end.min(self.log.len());
        let start = start.min(end);
        self.log.range(start..end).cloned().collect()
    }

    pub fn get(&self, index: usize) -> Option<&Message> {
        self.log.get(index)
    }

    pub fn last(&self) -> Option<&Message> {
        self.log.back()
    }

    /// The oldest backend id in memory: where scroll-back continues.
    pub fn oldest_id(&self) -> Option<&str> {
        self.log.iter().find_map(|m| m.id.as_deref())
    }

    /// Users typing at `now` (expired notices are skipped).
    pub fn typing(&self, now: f64) -> Vec<String> {
        self.typing
            .iter()
            .filter(|(_, until)| *until > now)
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Where a live message with numeric id `n` belongs: after the last
    /// message with a smaller id. Unsent messages (no id yet) stay below it;
    /// replays racing history pages can therefore never interleave.
    fn slot_from_back(&self, n: u64) -> usize {
        let len = self.log.len();
        let stop = len.saturating_sub(ORDER_SCAN);
        let mut i = len;
        while i > stop {
            let prev = &self.log[i - 1];
            match numeric_id(&prev.id) {
                Some(p) if p < n => return i,
                Some(_) => i -= 1,
                None if prev.status != Status::Sent => i -= 1,
                None => return i,
            }
        }
        if i == 0 {
            0
        } else {
            len
        }
    }

    /// Where an older (history) message with numeric id `n` belongs:
    /// before the first message with a larger id, searching from the front.
    fn slot_from_front(&self, n: u64) -> usize {
        let scan = self.log.len().min(ORDER_SCAN);
        (0..scan)
            .find(|&i| numeric_id(&self.log[i].id).is_none_or(|p| p > n))
            .unwrap_or(scan)
    }

    /// Inserts at `index`, keeping absolute positions of the others stable
    /// when the message lands at the front.
    fn insert(&mut self, index: usize, msg: Message) {
        if index == 0 && !self.log.is_empty() {
            self.base -= 1;
        }
        self.log.insert(index, msg);
    }

    fn position(&self, pred: impl Fn(&Message) -> bool) -> Option<usize> {
        // Pending messages and echoes are recent: search from the back.
        (0..self.log.len()).rev().find(|&i| pred(&self.log[i]))
    }
}

/// The numeric value of a backend id, when it is one (the reference
/// backend's ids are integers; other backends' may be anything).
fn numeric_id(id: &Option<String>) -> Option<u64> {
    id.as_deref()?.parse().ok()
}

/// Whether `m` continues the visual group started above it by `prev`:
/// same sender, same local day, close in time.
pub fn continues_group(prev: &Message, m: &Message, tz_offset_ms: f64) -> bool {
    prev.user == m.user
        && prev.mine == m.mine
        && (m.ts - prev.ts).abs() <= GROUP_GAP_MS
        && same_day(prev.ts, m.ts, tz_offset_ms)
}

/// Whether two epoch-ms times fall on the same local day.
pub fn same_day(a: f64, b: f64, tz_offset_ms: f64) -> bool {
    let day = |t: f64| ((t + tz_offset_ms) / 86_400_000.0).floor();
    day(a) == day(b)
}

/// A bounded set: remembers the most recent `cap` keys.
#[derive(Clone, Debug, Default, PartialEq)]
struct Seen {
    set: HashSet<String>,
    order: VecDeque<String>,
    cap: usize,
}

impl Seen {
    fn with_capacity(cap: usize) -> Self {
        Seen {
            cap,
            ..Seen::default()
        }
    }

    /// Inserts; false when already present.
    fn insert(&mut self, key: String) -> bool {
        if self.set.contains(&key) {
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(key.clone());
        self.order.push_back(key);
        true
    }

    fn contains(&self, key: &str) -> bool {
        self.set.contains(key)
    }

    /// Forgets every key starting with `prefix` (a room that was left).
    fn remove_prefix(&mut self, prefix: &str) {
        self.order.retain(|k| !k.starts_with(prefix));
        self.set.retain(|k| !k.starts_with(prefix));
    }
}

/// The seen-set key recording that our message `client_id` is confirmed,
/// so a late echo of it is recognised whatever the POST answer carried.
fn confirmed_key(client_id: &str) -> String {
    format!("\u{0}cid\u{0}{client_id}")
}

/// What a batch changed, for announcements and notifications.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// New messages from others, in arrival order: `(room, user, text)`.
    pub arrived: Vec<(String, Option<String>, String)>,
    /// Duplicates dropped (replays after a reconnect).
    pub duplicates: usize,
}

/// The whole chat: followed rooms and who we are.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatState {
    pub me: String,
    rooms: Vec<Room>,
    active: String,
    /// The reader sees the newest messages of the active room (scrolled to
    /// the bottom, tab visible); otherwise arrivals count as unread there too.
    reading: bool,
    at_bottom: bool,
    visible: bool,
    seen: Seen,
    cap: usize,
    next_uid: u64,
    /// Messages stamped before this time (epoch ms) are history: replays
    /// of the past on a fresh connection. They are shown but neither
    /// counted as unread nor announced.
    history_before: f64,
}

impl ChatState {
    pub fn new(me: &str, rooms: &[String], active: &str) -> Self {
        let mut state = ChatState {
            me: me.to_string(),
            rooms: Vec::new(),
            active: active.to_string(),
            reading: true,
            at_bottom: true,
            visible: true,
            seen: Seen::with_capacity(SEEN_CAPACITY),
            cap: DEFAULT_CAP,
            next_uid: 1,
            history_before: 0.0,
        };
        for r in rooms {
            state.join(r);
        }
        state.join(active);
        state
    }

    /// Marks messages stamped before `t` as history (see the field). Set
    /// when a connection starts without a resume point.
    pub fn set_history_before(&mut self, t: f64) {
        self.history_before = t;
    }

    /// Overrides the per-room memory cap (tests and benchmarks).
    pub fn with_cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self
    }

    pub fn rooms(&self) -> &[Room] {
        &self.rooms
    }

    pub fn room_names(&self) -> Vec<String> {
        self.rooms.iter().map(|r| r.name.clone()).collect()
    }

    pub fn room(&self, name: &str) -> Option<&Room> {
        self.rooms.iter().find(|r| r.name == name)
    }

    fn room_mut(&mut self, name: &str) -> Option<&mut Room> {
        self.rooms.iter_mut().find(|r| r.name == name)
    }

    pub fn active(&self) -> &str {
        &self.active
    }

    pub fn active_room(&self) -> Option<&Room> {
        self.room(&self.active)
    }

    /// Unread messages over all rooms (for the document title).
    pub fn total_unread(&self) -> usize {
        self.rooms.iter().map(|r| r.unread).sum()
    }

    /// Follows a room (no-op if followed, or at [`MAX_ROOMS`]). Returns
    /// true when it was new.
    pub fn join(&mut self, name: &str) -> bool {
        if self.room(name).is_some() || self.rooms.len() >= MAX_ROOMS {
            return false;
        }
        self.rooms.push(Room::new(name));
        true
    }

    /// Stops following a room; the active room moves to a neighbour. The
    /// last room cannot be left (the app always shows one).
    pub fn leave(&mut self, name: &str) -> bool {
        if self.rooms.len() <= 1 {
            return false;
        }
        let Some(i) = self.rooms.iter().position(|r| r.name == name) else {
            return false;
        };
        self.rooms.remove(i);
        // Rejoining later must show the room's past again.
        self.seen.remove_prefix(&format!("{name}\u{0}"));
        if self.active == name {
            let next = i.min(self.rooms.len() - 1);
            self.active = self.rooms[next].name.clone();
            self.mark_read_active();
        }
        true
    }

    /// Switches rooms (joining if needed) and clears its unread count.
    /// Returns false (and stays) when the room cannot be joined.
    pub fn set_active(&mut self, name: &str) -> bool {
        if !self.join(name) && self.room(name).is_none() {
            return false;
        }
        self.active = name.to_string();
        self.mark_read_active();
        true
    }

    /// Whether the reader sees the newest messages of the active room.
    pub fn reading(&self) -> bool {
        self.reading
    }

    /// The message list is (or is no longer) scrolled to the bottom.
    pub fn set_at_bottom(&mut self, at_bottom: bool) {
        self.at_bottom = at_bottom;
        self.update_reading();
    }

    /// The page became visible or hidden.
    pub fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
        self.update_reading();
    }

    fn update_reading(&mut self) {
        self.reading = self.at_bottom && self.visible;
        // Reading again clears the active room's unread count.
        if self.reading {
            self.mark_read_active();
        }
    }

    fn mark_read_active(&mut self) {
        let active = self.active.clone();
        if let Some(r) = self.room_mut(&active) {
            r.unread = 0;
        }
    }

    fn alloc_uid(&mut self) -> u64 {
        let uid = self.next_uid;
        self.next_uid += 1;
        uid
    }

    /// Applies a batch of decoded events in order. `fallback_room` is the
    /// room for messages that don't name one (per-room streams).
    pub fn ingest(&mut self, batch: Vec<(Incoming, Option<String>)>, now: f64) -> Report {
        let mut report = Report::default();
        for (item, fallback_room) in batch {
            match item {
                Incoming::Message(m) => self.receive(m, fallback_room.as_deref(), now, &mut report),
                Incoming::Presence(p) => self.presence(p),
                Incoming::Typing { room, user } => self.typing(&room, &user, now),
                Incoming::Ping | Incoming::Ignored => {}
            }
        }
        report
    }

    fn dedupe_key(room: &str, m: &WireMessage) -> Option<String> {
        match (&m.id, m.ts) {
            (Some(id), _) => Some(format!("{room}\u{0}#{id}")),
            // Without an id, the same sender, text and time is the same message.
            (None, Some(ts)) => Some(format!(
                "{room}\u{0}{}\u{0}{}\u{0}{ts}",
                m.user.as_deref().unwrap_or(""),
                m.text
            )),
            (None, None) => None,
        }
    }

    fn receive(
        &mut self,
        m: WireMessage,
        fallback_room: Option<&str>,
        now: f64,
        report: &mut Report,
    ) {
        let room_name = m
            .room
            .clone()
            .or_else(|| fallback_room.map(String::from))
            .unwrap_or_else(|| self.active.clone());
        let key = Self::dedupe_key(&room_name, &m);
        if let Some(k) = &key {
            if self.seen.contains(k) {
                report.duplicates += 1;
                return;
            }
        }
        // An echo of our own pending message replaces it in place.
        if self.confirm_echo(&room_name, &m, now) {
            if let Some(k) = key {
                self.seen.insert(k);
            }
            return;
        }
        if let Some(k) = key {
            self.seen.insert(k);
        }
        // Messages for rooms we no longer follow are dropped: the stream may
        // still deliver them until it is reopened with the new room list.
        let Some(_) = self.room(&room_name) else {
            return;
        };
        let uid = self.alloc_uid();
        let mine = m.user.as_deref() == Some(self.me.as_str()) && m.client_id.is_some();
        let is_new = m.ts.is_none_or(|t| t >= self.history_before);
        let counts = is_new && !mine && (room_name != self.active || !self.reading);
        let n = numeric_id(&m.id);
        let msg = Message {
            uid,
            version: 0,
            id: m.id,
            room: room_name.clone(),
            user: m.user.clone(),
            text: m.text.clone(),
            ts: m.ts.unwrap_or(now),
            client_id: m.client_id,
            status: Status::Sent,
            mine,
        };
        let cap = self.cap;
        let Some(room) = self.room_mut(&room_name) else {
            return;
        };
        let slot = n.map_or(room.log.len(), |n| room.slot_from_back(n));
        room.insert(slot, msg);
        if counts {
            room.unread += 1;
        }
        // Someone who just spoke has stopped typing.
        if let Some(user) = &m.user {
            room.typing.retain(|(u, _)| u != user);
        }
        Self::enforce_cap(room, cap);
        if is_new && !mine {
            report.arrived.push((room_name, m.user, m.text));
        }
    }

    fn enforce_cap(room: &mut Room, cap: usize) {
        while room.log.len() > cap {
            // Unsent messages are never dropped. They are few and recent,
            // so the first sent one is found near the front.
            match room.log.iter().position(|m| m.status == Status::Sent) {
                Some(i) => {
                    room.log.remove(i);
                    room.base += 1;
                    room.has_older = true;
                }
                None => break,
            }
        }
    }

    /// Matches an incoming message to one of ours: by client id (pending,
    /// or already confirmed by the POST answer), else (for backends that
    /// echo none) by room, sender and text within [`ECHO_WINDOW_MS`].
    fn confirm_echo(&mut self, room_name: &str, m: &WireMessage, now: f64) -> bool {
        let known = m
            .client_id
            .as_deref()
            .is_some_and(|c| self.seen.contains(&confirmed_key(c)));
        let from_me = m.user.as_deref() == Some(self.me.as_str());
        let Some(room) = self.room_mut(room_name) else {
            return false;
        };
        let pos = match &m.client_id {
            Some(cid) if known || room.unsent.contains(cid) => {
                room.position(|x| x.mine && x.client_id.as_deref() == Some(cid))
            }
            Some(_) => None,
            None if !from_me || room.unsent.is_empty() => None,
            None => {
                // Unsent messages are recent: stop at the first confirmed
                // message older than the window.
                let mut found = None;
                for i in (0..room.log.len()).rev() {
                    let x = &room.log[i];
                    if x.status == Status::Sent && now - x.ts > ECHO_WINDOW_MS {
                        break;
                    }
                    if x.mine
                        && x.status != Status::Sent
                        && x.text == m.text
                        && now - x.ts <= ECHO_WINDOW_MS
                    {
                        found = Some(i);
                        break;
                    }
                }
                found
            }
        };
        let Some(i) = pos else {
            // A confirmed message we no longer hold (dropped): still an echo.
            return known;
        };
        let x = &mut room.log[i];
        let changed = x.status != Status::Sent || (x.id.is_none() && m.id.is_some());
        x.status = Status::Sent;
        if x.id.is_none() {
            x.id = m.id.clone();
        }
        if let Some(ts) = m.ts {
            x.ts = ts;
        }
        if changed {
            x.version += 1;
        }
        let cid = x.client_id.clone();
        room.unsent.retain(|c| Some(c) != cid.as_ref());
        if let Some(c) = cid {
            self.seen.insert(confirmed_key(&c));
        }
        true
    }

    /// Shows a message the user just sent, as pending, in its room.
    pub fn add_pending(&mut self, out: &Outgoing, now: f64) {
        self.join(&out.room);
        let uid = self.alloc_uid();
        let msg = Message {
            uid,
            version: 0,
            id: None,
            room: out.room.clone(),
            user: Some(out.user.clone()),
            text: out.text.clone(),
            ts: now,
            client_id: Some(out.client_id.clone()),
            status: Status::Pending,
            mine: true,
        };
        if let Some(room) = self.room_mut(&out.room) {
            room.log.push_back(msg);
            room.unsent.push(out.client_id.clone());
        }
    }

    fn find_own(&mut self, client_id: &str) -> Option<&mut Message> {
        self.rooms.iter_mut().find_map(|r| {
            let i = r.position(|m| m.mine && m.client_id.as_deref() == Some(client_id))?;
            r.log.get_mut(i)
        })
    }

    /// The backend accepted a message; `stored` is its copy when it returned one.
    pub fn send_succeeded(&mut self, client_id: &str, stored: Option<WireMessage>) {
        let Some(x) = self.find_own(client_id) else {
            return;
        };
        let room = x.room.clone();
        let cid = client_id.to_string();
        if x.status != Status::Sent
            || (x.id.is_none() && stored.as_ref().is_some_and(|s| s.id.is_some()))
        {
            x.status = Status::Sent;
            if let Some(s) = &stored {
                x.id = s.id.clone().or(x.id.take());
                if let Some(ts) = s.ts {
                    x.ts = ts;
                }
            }
            x.version += 1;
        }
        if let Some(r) = self.room_mut(&room) {
            r.unsent.retain(|c| *c != cid);
        }
        self.seen.insert(confirmed_key(&cid));
        // The echo on the stream must not add a second copy.
        if let Some(s) = stored {
            if let Some(k) = Self::dedupe_key(&room, &s) {
                self.seen.insert(k);
            }
        }
    }

    /// The backend refused a message for good.
    pub fn send_failed(&mut self, client_id: &str, reason: &str) {
        if let Some(x) = self.find_own(client_id) {
            x.status = Status::Failed(reason.to_string());
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

    /// The user discards an unsent message.
    pub fn discard(&mut self, client_id: &str) {
        for r in &mut self.rooms {
            if let Some(i) = r.position(|m| {
                m.mine && m.status != Status::Sent && m.client_id.as_deref() == Some(client_id)
            }) {
                r.log.remove(i);
                r.unsent.retain(|c| c != client_id);
                return;
            }
        }
    }

    /// Adds older messages (oldest first) at the top of a room's log.
    pub fn prepend_history(
        &mut self,
        room_name: &str,
        older: Vec<WireMessage>,
        has_more: bool,
        now: f64,
    ) -> usize {
        // Ids below the oldest one held cannot be in memory (they were
        // dropped by the cap, or never loaded) even if their key is known.
        let oldest = self.room(room_name).and_then(|r| {
            r.log
                .iter()
                .take(ORDER_SCAN)
                .find_map(|m| numeric_id(&m.id))
        });
        let mut fresh = Vec::with_capacity(older.len());
        for m in older {
            let below_oldest = matches!((numeric_id(&m.id), oldest), (Some(n), Some(o)) if n < o);
            if let Some(k) = Self::dedupe_key(room_name, &m) {
                if !self.seen.insert(k) && !below_oldest {
                    continue;
                }
            }
            fresh.push(m);
        }
        let me = self.me.clone();
        let mut msgs: Vec<Message> = fresh
            .into_iter()
            .map(|m| Message {
                uid: 0,
                version: 0,
                mine: m.user.as_deref() == Some(me.as_str()) && m.client_id.is_some(),
                id: m.id,
                room: room_name.to_string(),
                user: m.user,
                text: m.text,
                ts: m.ts.unwrap_or(now),
                client_id: m.client_id,
                status: Status::Sent,
            })
            .collect();
        for m in &mut msgs {
            m.uid = self.alloc_uid();
        }
        let added = msgs.len();
        if let Some(room) = self.room_mut(room_name) {
            // Oldest first, each at its place by id (pages and replays may
            // arrive in any order); without numeric ids, at the front.
            // Messages placed before the first one held keep the held
            // ones' absolute positions (base moves down instead).
            let mut first_held = 0;
            let mut front = 0;
            for m in msgs {
                let slot = match numeric_id(&m.id) {
                    Some(n) => room.slot_from_front(n),
                    None => front,
                };
                front = slot + 1;
                room.log.insert(slot, m);
                if slot <= first_held {
                    first_held += 1;
                    room.base -= 1;
                }
            }
            room.has_older = has_more;
        }
        added
    }

    fn presence(&mut self, p: Presence) {
        if let Some(room) = self.room_mut(&p.room) {
            let mut users = p.users;
            // Change events may carry only the delta.
            if let Some(j) = p.joined {
                if !users.contains(&j) {
                    users.extend(room.present.iter().cloned());
                    users.push(j);
                }
            }
            if let Some(l) = &p.left {
                if users.is_empty() {
                    users = room.present.clone();
                }
                users.retain(|u| u != l);
            }
            users.sort();
            users.dedup();
            room.present = users;
        }
    }

    fn typing(&mut self, room: &str, user: &str, now: f64) {
        if user == self.me {
            return;
        }
        if let Some(r) = self.room_mut(room) {
            r.typing.retain(|(u, until)| u != user && *until > now);
            r.typing.push((user.to_string(), now + TYPING_TTL_MS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(id: Option<&str>, room: &str, user: &str, text: &str) -> WireMessage {
        WireMessage {
            id: id.map(String::from),
            room: Some(room.into()),
            user: Some(user.into()),
            text: text.into(),
            ts: Some(1_000.0),
            client_id: None,
        }
    }

    fn batch(items: Vec<WireMessage>) -> Vec<(Incoming, Option<String>)> {
        items
            .into_iter()
            .map(|m| (Incoming::Message(m), None))
            .collect()
    }

    fn texts(s: &ChatState, room: &str) -> Vec<String> {
        let r = s.room(room).unwrap();
        r.window(0, r.len()).into_iter().map(|m| m.text).collect()
    }

    fn state() -> ChatState {
        ChatState::new("me", &["general".into(), "random".into()], "general")
    }

    #[test]
    fn replays_are_deduplicated_and_order_kept() {
        let mut s = state();
        let first = vec![
            wire(Some("1"), "general", "a", "one"),
            wire(Some("2"), "general", "b", "two"),
        ];
        s.ingest(batch(first.clone()), 0.0);
        let mut again = first;
        again.push(wire(Some("3"), "general", "a", "three"));
        let report = s.ingest(batch(again), 0.0);
        assert_eq!(report.duplicates, 2);
        assert_eq!(texts(&s, "general"), ["one", "two", "three"]);
    }

    #[test]
    fn messages_without_ids_dedupe_on_time_or_not_at_all() {
        let mut s = state();
        let mut m = wire(None, "general", "a", "same");
        s.ingest(batch(vec![m.clone(), m.clone()]), 0.0);
        m.ts = None;
        s.ingest(batch(vec![m.clone(), m]), 0.0);
        assert_eq!(
            texts(&s, "general").len(),
            3,
            "timed copy deduped; untimed ones can't be"
        );
    }

    #[test]
    fn same_id_in_two_rooms_is_two_messages() {
        let mut s = state();
        s.ingest(
            batch(vec![
                wire(Some("1"), "general", "a", "g"),
                wire(Some("1"), "random", "a", "r"),
            ]),
            0.0,
        );
        assert_eq!(texts(&s, "general"), ["g"]);
        assert_eq!(texts(&s, "random"), ["r"]);
    }

    #[test]
    fn unread_counts_other_rooms_and_when_not_reading() {
        let mut s = state();
        s.ingest(
            batch(vec![
                wire(Some("1"), "random", "a", "x"),
                wire(Some("2"), "general", "a", "y"),
            ]),
            0.0,
        );
        assert_eq!(
            (
                s.room("random").unwrap().unread,
                s.room("general").unwrap().unread
            ),
            (1, 0)
        );
        s.set_visible(false);
        s.ingest(batch(vec![wire(Some("3"), "general", "a", "z")]), 0.0);
        assert_eq!(s.room("general").unwrap().unread, 1);
        assert_eq!(s.total_unread(), 2);
        s.set_visible(true);
        assert_eq!(s.room("general").unwrap().unread, 0);
        s.set_at_bottom(false);
        s.ingest(batch(vec![wire(Some("4"), "general", "a", "w")]), 0.0);
        assert_eq!(s.room("general").unwrap().unread, 1, "scrolled up: counts");
        s.set_at_bottom(true);
        assert!(s.reading());
        assert_eq!(s.room("general").unwrap().unread, 0);
        s.set_active("random");
        assert_eq!(s.total_unread(), 0);
    }

    #[test]
    fn unknown_rooms_dropped_and_fallback_room_used() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "elsewhere", "a", "x")]), 0.0);
        assert!(s.room("elsewhere").is_none());
        let mut m = wire(Some("2"), "", "a", "y");
        m.room = None;
        s.ingest(vec![(Incoming::Message(m), Some("random".into()))], 0.0);
        assert_eq!(texts(&s, "random"), ["y"]);
    }

    fn outgoing(text: &str, cid: &str) -> Outgoing {
        Outgoing {
            room: "general".into(),
            user: "me".into(),
            text: text.into(),
            client_id: cid.into(),
        }
    }

    #[test]
    fn pending_then_confirmed_by_response_then_echo_is_not_doubled() {
        let mut s = state();
        s.add_pending(&outgoing("hi", "c1"), 10.0);
        let m = s.active_room().unwrap().last().unwrap().clone();
        assert_eq!((m.status.clone(), m.mine), (Status::Pending, true));
        let mut stored = wire(Some("9"), "general", "me", "hi");
        stored.client_id = Some("c1".into());
        s.send_succeeded("c1", Some(stored.clone()));
        let m2 = s.active_room().unwrap().last().unwrap().clone();
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
        assert_eq!(
            s.active_room().unwrap().last().unwrap().status,
            Status::Sent
        );

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
        s.send_failed("c1", "HTTP 422: text is empty");
        assert_eq!(
            s.active_room().unwrap().last().unwrap().status,
            Status::Failed("HTTP 422: text is empty".into())
        );
        s.retry("c1");
        assert_eq!(
            s.active_room().unwrap().last().unwrap().status,
            Status::Pending
        );
        s.send_failed("c1", "again");
        s.discard("c1");
        assert!(s.active_room().unwrap().is_empty());
        // Sent messages cannot be discarded.
        s.add_pending(&outgoing("y", "c2"), 0.0);
        s.send_succeeded("c2", None);
        s.discard("c2");
        assert_eq!(texts(&s, "general"), ["y"]);
    }

    #[test]
    fn cap_drops_oldest_sent_only() {
        let mut s = state().with_cap(3);
        s.add_pending(&outgoing("mine", "c1"), 0.0);
        let items = (1..=5)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.ingest(batch(items), 0.0);
        assert_eq!(
            texts(&s, "general"),
            ["m4", "m5", "mine"],
            "unsent stays at the bottom"
        );
        assert!(s.active_room().unwrap().has_older);
        // m1 went in above the pending message (base -1), then three were dropped.
        assert_eq!(s.active_room().unwrap().base(), 2);
    }

    #[test]
    fn history_prepends_and_skips_overlap() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("3"), "general", "a", "three")]), 0.0);
        let older = vec![
            wire(Some("1"), "general", "a", "one"),
            wire(Some("2"), "general", "a", "two"),
            wire(Some("3"), "general", "a", "three"),
        ];
        let (before, win) = s.active_room().unwrap().window_abs(0, 1);
        assert_eq!((before, win[0].text.as_str()), (None, "three"));
        assert_eq!(s.prepend_history("general", older, false, 0.0), 2);
        assert_eq!(texts(&s, "general"), ["one", "two", "three"]);
        let room = s.active_room().unwrap();
        assert_eq!((room.base(), room.end()), (-2, 1));
        // The same absolute range still shows the same message.
        let (before, win) = room.window_abs(0, 1);
        assert_eq!(
            (before.unwrap().text.as_str(), win[0].text.as_str()),
            ("two", "three")
        );
        assert_eq!(s.active_room().unwrap().oldest_id(), Some("1"));
        assert!(!s.active_room().unwrap().has_older);
    }

    #[test]
    fn grouping() {
        let base = Message {
            uid: 1,
            version: 0,
            id: None,
            room: "g".into(),
            user: Some("a".into()),
            text: "t".into(),
            ts: 0.0,
            client_id: None,
            status: Status::Sent,
            mine: false,
        };
        let near = Message {
            ts: 60_000.0,
            ..base.clone()
        };
        let far = Message {
            ts: GROUP_GAP_MS + 1.0,
            ..base.clone()
        };
        let other = Message {
            user: Some("b".into()),
            ..near.clone()
        };
        assert!(continues_group(&base, &near, 0.0));
        assert!(!continues_group(&base, &far, 0.0));
        assert!(!continues_group(&base, &other, 0.0));
        // Across local midnight: 23:59 -> 00:01 is a new day, so a new group.
        let before = Message {
            ts: 86_400_000.0 - 60_000.0,
            ..base.clone()
        };
        let after = Message {
            ts: 86_400_000.0 + 60_000.0,
            ..base
        };
        assert!(!continues_group(&before, &after, 0.0));
        assert!(continues_group(&before, &after, 3_600_000.0));
    }

    #[test]
    fn join_leave_active() {
        let mut s = state();
        assert!(!s.join("general"));
        s.set_active("new-room");
        assert_eq!(s.room_names(), ["general", "random", "new-room"]);
        assert!(s.leave("new-room"));
        assert_eq!(s.active(), "random");
        assert!(s.leave("random"));
        assert!(!s.leave("general"), "the last room stays");
        for i in 1..MAX_ROOMS {
            assert!(s.join(&format!("r{i}")));
        }
        assert!(!s.join("one-too-many"));
        assert!(!s.set_active("one-too-many"));
        assert_eq!(s.active(), "general");
    }

    #[test]
    fn presence_and_typing() {
        let mut s = state();
        let p = |users: &[&str], joined: Option<&str>, left: Option<&str>| {
            Incoming::Presence(Presence {
                room: "general".into(),
                users: users.iter().map(|u| u.to_string()).collect(),
                joined: joined.map(String::from),
                left: left.map(String::from),
            })
        };
        s.ingest(vec![(p(&["b", "a"], None, None), None)], 0.0);
        assert_eq!(s.room("general").unwrap().present, ["a", "b"]);
        s.ingest(vec![(p(&[], Some("c"), None), None)], 0.0);
        assert_eq!(s.room("general").unwrap().present, ["a", "b", "c"]);
        s.ingest(vec![(p(&[], None, Some("a")), None)], 0.0);
        assert_eq!(s.room("general").unwrap().present, ["b", "c"]);

        let typing = |u: &str| {
            (
                Incoming::Typing {
                    room: "general".into(),
                    user: u.into(),
                },
                None,
            )
        };
        s.ingest(vec![typing("b"), typing("me")], 1_000.0);
        assert_eq!(s.room("general").unwrap().typing(2_000.0), ["b"]);
        assert!(s
            .room("general")
            .unwrap()
            .typing(1_000.0 + TYPING_TTL_MS)
            .is_empty());
        s.ingest(vec![typing("b")], 1_000.0);
        s.ingest(
            batch(vec![wire(Some("1"), "general", "b", "done")]),
            1_500.0,
        );
        assert!(
            s.room("general").unwrap().typing(1_600.0).is_empty(),
            "speaking ends typing"
        );
    }

    #[test]
    fn replay_racing_a_history_page_cannot_interleave() {
        let mut s = state();
        // The newest page arrives first, then the replay of older ones.
        let page = (4..=6)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.prepend_history("general", page, true, 0.0);
        let replay = (1..=6)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.ingest(batch(replay), 0.0);
        assert_eq!(texts(&s, "general"), ["m1", "m2", "m3", "m4", "m5", "m6"]);
        // And a page of older ones arriving after a partial replay.
        let mut s = state();
        s.ingest(batch(vec![wire(Some("5"), "general", "a", "m5")]), 0.0);
        let page = (1..=4)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.prepend_history("general", page, false, 0.0);
        s.ingest(
            batch(vec![
                wire(Some("3"), "general", "a", "m3"),
                wire(Some("6"), "general", "a", "m6"),
            ]),
            0.0,
        );
        assert_eq!(texts(&s, "general"), ["m1", "m2", "m3", "m4", "m5", "m6"]);
    }

    #[test]
    fn history_is_not_unread_and_not_announced() {
        let mut s = state();
        s.set_history_before(5_000.0);
        let mut old = wire(Some("1"), "random", "a", "old");
        old.ts = Some(4_000.0);
        let mut new = wire(Some("2"), "random", "a", "new");
        new.ts = Some(6_000.0);
        let report = s.ingest(batch(vec![old, new]), 7_000.0);
        assert_eq!(s.room("random").unwrap().unread, 1);
        assert_eq!(report.arrived.len(), 1);
        assert_eq!(report.arrived[0].2, "new");
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
        assert_eq!(
            s.active_room().unwrap().last().unwrap().id.as_deref(),
            Some("9"),
            "id learnt from the echo"
        );
    }

    #[test]
    fn leaving_and_rejoining_shows_the_room_again() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "random", "a", "x")]), 0.0);
        assert!(s.leave("random"));
        s.join("random");
        s.ingest(batch(vec![wire(Some("1"), "random", "a", "x")]), 0.0);
        assert_eq!(texts(&s, "random"), ["x"]);
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
    fn seen_set_is_bounded() {
        let mut seen = Seen::with_capacity(2);
        assert!(seen.insert("a".into()));
        assert!(!seen.insert("a".into()));
        seen.insert("b".into());
        seen.insert("c".into());
        assert!(!seen.contains("a"));
        assert_eq!(seen.set.len(), 2);
    }
}
