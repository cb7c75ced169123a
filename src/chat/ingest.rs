//! Incoming events, a frame's batch at a time: decoded by the configured
//! protocol, applied to the state in one update, then announced to screen
//! readers and, while the tab is hidden, shown as a desktop notification.

use super::Chat;
use crate::errors::Notice;
use crate::i18n::{announce, t, Key};
use crate::protocol::{decode_noting, Incoming};
use crate::state::Arrival;
use crate::transport::browser::{is_visible, now_ms};
use crate::transport::events::RawEvent;
use crate::transport::notify;
use leptos::prelude::*;

/// Announcements kept in the live region; older ones are removed.
const ANNOUNCEMENTS_KEPT: usize = 5;
/// Messages of one batch announced at most (the newest).
const ANNOUNCED_PER_BATCH: usize = 3;

impl Chat {
    pub(super) fn ingest(&self, items: Vec<(RawEvent, Option<String>)>) {
        // A frame may flush after the chat was torn down.
        let Some(cfg) = self.cfg.try_get_value() else {
            return;
        };
        let mut batch = Vec::with_capacity(items.len());
        let mut skipped = None;
        let mut ignored = None;
        let mut field_notice = None;
        let sample = |data: &str| data.chars().take(80).collect::<String>();
        for (raw, room) in items {
            match decode_noting(&cfg, &raw.kind, &raw.data, &raw.id, &mut ignored) {
                Ok(Incoming::Ignored) => {}
                Ok(item) => {
                    if let Some(error) = ignored.take().filter(|_| field_notice.is_none()) {
                        let sample = sample(&raw.data);
                        field_notice = Some(Notice::FieldIgnored { error, sample });
                    }
                    batch.push((item, room))
                }
                Err(error) => {
                    let sample = sample(&raw.data);
                    skipped = Some(Notice::SkippedEvent { error, sample })
                }
            }
        }
        if let Some(notice) = skipped {
            // The stream goes on; the user learns that something was skipped.
            self.tell(notice);
        } else if let Some(notice) = field_notice {
            // Shown without the field: said once per session, not per message.
            if !self.quirks.with_value(|q| q.field_noted) {
                self.quirks.update_value(|q| q.field_noted = true);
                self.tell(notice);
            }
        }
        if batch.is_empty() {
            return;
        }
        let Some(report) = self.state.try_update(|s| s.ingest(batch, now_ms())) else {
            return;
        };
        // What the reader sees as it comes (the replay too) is read.
        self.note_read();
        if !report.arrived.is_empty() {
            self.notify(&report.arrived);
            self.announce(&report.arrived);
            // Seen here as they came: not unread in the other tabs either.
            self.share_read();
        }
    }

    /// One notification per batch, while hidden and opted in: the newest
    /// message stands for it.
    fn notify(&self, arrived: &[Arrival]) {
        if is_visible() || !notify::enabled() {
            return;
        }
        let anonymous = t(self.lang.get_untracked(), Key::Anonymous);
        // A mention stands for the batch before anything else; a muted
        // room's other messages notify nobody.
        let pick = arrived.iter().rev().find(|a| a.mention);
        if let Some(a) = pick.or_else(|| arrived.iter().rev().find(|a| !a.muted)) {
            let at = if a.mention { "@ " } else { "" };
            let title = format!(
                "{at}{} · #{}",
                a.user.as_deref().unwrap_or(anonymous),
                a.room
            );
            notify::show(
                &title,
                &a.text.chars().take(200).collect::<String>(),
                &a.room,
            );
        }
    }

    fn announce(&self, arrived: &[Arrival]) {
        let lang = self.lang.get_untracked();
        let anonymous = t(lang, Key::Anonymous);
        self.announcements.update(|list| {
            let first = list.last().map_or(0, |(n, _)| n + 1);
            // Muted rooms speak only of mentions.
            let heard: Vec<&Arrival> = arrived.iter().filter(|a| a.mention || !a.muted).collect();
            let skip = heard.len().saturating_sub(ANNOUNCED_PER_BATCH);
            for (n, a) in (first..).zip(&heard[skip..]) {
                let user = a.user.as_deref().unwrap_or(anonymous);
                list.push((n, announce(lang, user, &a.room, &a.text)));
            }
            let excess = list.len().saturating_sub(ANNOUNCEMENTS_KEPT);
            list.drain(..excess);
        });
    }
}
