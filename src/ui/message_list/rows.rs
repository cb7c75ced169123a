//! View rules of the message list, pure: which rows start a visual group
//! (same sender, close in time, same local day) and where a day separator
//! goes. Tested natively.

use crate::state::Message;

/// Consecutive messages by one sender within this gap share a group.
pub const GROUP_GAP_MS: f64 = 5.0 * 60_000.0;

/// One rendered row: a message with what its neighbours decide.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub msg: Message,
    /// Shows the author and time (a new group starts here).
    pub group_start: bool,
    /// A day separator goes above it.
    pub new_day: bool,
    /// The "New" line goes above it: the first unread when the room was opened.
    pub first_unread: bool,
}

impl Row {
    /// The key of keyed rendering: a row re-renders when its message or
    /// what its neighbours decide changes.
    pub fn key(&self) -> ((u64, u32), bool, bool, bool) {
        (
            self.msg.key(),
            self.group_start,
            self.new_day,
            self.first_unread,
        )
    }
}

/// Whether two epoch-ms times fall on the same local day.
pub fn same_day(a: f64, b: f64, tz_offset_ms: f64) -> bool {
    let day = |t: f64| ((t + tz_offset_ms) / 86_400_000.0).floor();
    day(a) == day(b)
}

/// Whether `m` continues the visual group started above it by `prev`:
/// same sender, same local day, close in time.
pub fn continues_group(prev: &Message, m: &Message, tz_offset_ms: f64) -> bool {
    prev.user == m.user
        && prev.mine == m.mine
        && (m.ts - prev.ts).abs() <= GROUP_GAP_MS
        && same_day(prev.ts, m.ts, tz_offset_ms)
}

/// The rows of `window`, given the message just above it (`before`) and
/// the uid of the first unread message (`marker`).
pub fn rows(
    before: Option<Message>,
    window: Vec<Message>,
    tz_offset_ms: f64,
    marker: Option<u64>,
) -> Vec<Row> {
    let mut prev = before;
    window
        .into_iter()
        .map(|msg| {
            let group_start = prev
                .as_ref()
                .is_none_or(|p| !continues_group(p, &msg, tz_offset_ms));
            let new_day = prev
                .as_ref()
                .is_none_or(|p| !same_day(p.ts, msg.ts, tz_offset_ms));
            prev = Some(msg.clone());
            let first_unread = marker == Some(msg.uid);
            Row {
                msg,
                // The line breaks a group: the author shows again below it.
                group_start: group_start || first_unread,
                new_day,
                first_unread,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WireMessage;

    fn at(user: &str, ts: f64) -> Message {
        let wire = WireMessage {
            id: None,
            room: None,
            user: Some(user.into()),
            text: "t".into(),
            ts: Some(ts),
            client_id: None,
            extra: None,
        };
        Message::from_wire(1, wire, "me", 0.0, &mut Default::default())
    }

    #[test]
    fn grouping() {
        let base = at("a", 0.0);
        assert!(continues_group(&base, &at("a", 60_000.0), 0.0));
        assert!(!continues_group(&base, &at("a", GROUP_GAP_MS + 1.0), 0.0));
        assert!(!continues_group(&base, &at("b", 60_000.0), 0.0));
        // Across local midnight: 23:59 -> 00:01 is a new day, so a new group.
        let (before, after) = (
            at("a", 86_400_000.0 - 60_000.0),
            at("a", 86_400_000.0 + 60_000.0),
        );
        assert!(!continues_group(&before, &after, 0.0));
        assert!(continues_group(&before, &after, 3_600_000.0));
    }

    #[test]
    fn rows_mark_group_starts_and_day_separators() {
        let day = 86_400_000.0;
        let window = vec![
            at("a", day + 1.0),
            at("a", day + 2.0),
            at("b", day + 3.0),
            at("b", 2.0 * day),
        ];
        let marks: Vec<(bool, bool)> = rows(Some(at("a", day - 1.0)), window, 0.0, None)
            .iter()
            .map(|r| (r.group_start, r.new_day))
            .collect();
        assert_eq!(
            marks,
            [(true, true), (false, false), (true, false), (true, true)]
        );
        let first = rows(None, vec![at("a", 5.0)], 0.0, None);
        assert!(
            first[0].group_start && first[0].new_day,
            "the first row starts both"
        );
    }
}
