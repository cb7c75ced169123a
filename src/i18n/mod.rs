//! UI strings in English and Simplified Chinese.
//!
//! One table, one function per parametrised string: a missing translation
//! is a compile error, not a blank label. Notices arrive as data
//! ([`Notice`]) and are translated when rendered.

use crate::errors::Notice;

mod en;
mod key;
mod zh;

pub use key::Key;

/// A UI language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// Picks the first supported language from the browser's list
    /// (`navigator.languages`); English otherwise.
    pub fn from_preferences<'a>(prefs: impl IntoIterator<Item = &'a str>) -> Lang {
        for p in prefs {
            let p = p.to_ascii_lowercase();
            if p.starts_with("zh") {
                return Lang::ZhCn;
            }
            if p.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::En
    }

    /// BCP 47 tag for the `lang` attribute and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }
}

/// The string for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => en::english(key),
        Lang::ZhCn => zh::chinese(key),
    }
}

/// ", 2 mentions of you" (after a room's unread count, for screen readers).
pub fn mention_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => ", 1 mention of you".to_string(),
        (Lang::En, n) => format!(", {n} mentions of you"),
        (Lang::ZhCn, n) => format!("，{n} 条提及你的消息"),
    }
}

/// "3 messages found".
pub fn search_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 message found".to_string(),
        (Lang::En, n) => format!("{n} messages found"),
        (Lang::ZhCn, n) => format!("找到 {n} 条消息"),
    }
}

/// "👍 2: alice, bob", for a reaction's button.
pub fn reacted_by(lang: Lang, emoji: &str, users: &[Box<str>]) -> String {
    let names = users.join(", ");
    match lang {
        Lang::En => format!("{emoji} {}: {names}", users.len()),
        Lang::ZhCn => format!("{emoji} {}：{names}", users.len()),
    }
}

/// "Could not edit the message: HTTP 403: …".
pub fn change_failed(lang: Lang, what: crate::errors::ChangeKind, reason: &str) -> String {
    use crate::errors::ChangeKind::*;
    match (lang, what) {
        (Lang::En, Edit) => format!("Could not edit the message: {reason}"),
        (Lang::En, Delete) => format!("Could not delete the message: {reason}"),
        (Lang::En, React) => format!("Could not change the reaction: {reason}"),
        (Lang::ZhCn, Edit) => format!("无法编辑消息：{reason}"),
        (Lang::ZhCn, Delete) => format!("无法删除消息：{reason}"),
        (Lang::ZhCn, React) => format!("无法更改回应：{reason}"),
    }
}

/// "Reconnecting in N s (attempt K)".
pub fn reconnecting(lang: Lang, secs: u32, attempt: u32) -> String {
    match lang {
        Lang::En => format!("Reconnecting in {secs} s (attempt {attempt})"),
        Lang::ZhCn => format!("{secs} 秒后重新连接（第 {attempt} 次尝试）"),
    }
}

/// "Reconnecting (attempt K)": the countdown-free form for screen readers.
pub fn reconnecting_spoken(lang: Lang, attempt: u32) -> String {
    match lang {
        Lang::En => format!("Connection lost, reconnecting (attempt {attempt})"),
        Lang::ZhCn => format!("连接中断，正在重新连接（第 {attempt} 次尝试）"),
    }
}

/// A notice in `lang`. Details inside (the server's or browser's words)
/// stay as they are.
pub fn notice(lang: Lang, notice: &Notice) -> String {
    match (lang, notice) {
        (Lang::En, Notice::SkippedEvent { error, sample }) => {
            format!("An event could not be read and was skipped ({error}: {sample})")
        }
        (Lang::ZhCn, Notice::SkippedEvent { error, sample }) => {
            format!("有一条事件无法读取，已跳过（{error}: {sample}）")
        }
        (Lang::En, Notice::FieldIgnored { error, sample }) => {
            format!("A message was shown without a field it could not read ({error}: {sample})")
        }
        (Lang::ZhCn, Notice::FieldIgnored { error, sample }) => {
            format!("有一条消息的某个字段无法读取，已省略该字段显示（{error}: {sample}）")
        }
        (Lang::En, Notice::StorageFailed(e)) => {
            format!("Unsent messages cannot be saved for a reload: {e}")
        }
        (Lang::ZhCn, Notice::StorageFailed(e)) => {
            format!("未发送的消息无法保存，重新加载后将丢失：{e}")
        }
        (Lang::En, Notice::OutboxUnreadable { error, backup_key }) => format!(
            "Unsent messages saved earlier could not be read: {error}; kept as localStorage[\"{backup_key}\"]"
        ),
        (Lang::ZhCn, Notice::OutboxUnreadable { error, backup_key }) => format!(
            "之前保存的未发送消息无法读取：{error}；已保存为 localStorage[\"{backup_key}\"]"
        ),
        (Lang::En, Notice::HistoryFailed(e)) => format!("Older messages could not be loaded: {e}"),
        (Lang::ZhCn, Notice::HistoryFailed(e)) => format!("无法加载更早的消息：{e}"),
        (Lang::En, Notice::SearchFailed(e)) => {
            format!("The server's search failed, only loaded messages were searched: {e}")
        }
        (Lang::ZhCn, Notice::SearchFailed(e)) => format!("服务器搜索失败，只搜索了已加载的消息：{e}"),
        (_, Notice::RoomLimit) => t(lang, Key::RoomLimit).to_string(),
        (_, Notice::ChangeFailed { what, reason }) => change_failed(lang, *what, &reason.to_string()),
    }
}

/// "Connection failed: reason".
pub fn failed(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::En => format!("Connection failed: {reason}"),
        Lang::ZhCn => format!("连接失败：{reason}"),
    }
}

/// "N new messages" (jump-down button).
pub fn new_messages(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 new message".into(),
        (Lang::En, n) => format!("{n} new messages"),
        (Lang::ZhCn, n) => format!("{n} 条新消息"),
    }
}

/// "alice is typing…" / "alice and bob are typing…".
pub fn typing(lang: Lang, users: &[String]) -> String {
    match (lang, users) {
        (_, []) => String::new(),
        (Lang::En, [one]) => format!("{one} is typing…"),
        (Lang::En, [a, b]) => format!("{a} and {b} are typing…"),
        (Lang::En, _) => "Several people are typing…".into(),
        (Lang::ZhCn, [one]) => format!("{one} 正在输入…"),
        (Lang::ZhCn, [a, b]) => format!("{a} 和 {b} 正在输入…"),
        (Lang::ZhCn, _) => "多人正在输入…".into(),
    }
}

/// "Failed: reason".
pub fn send_failed(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::En => format!("Not sent: {reason}"),
        Lang::ZhCn => format!("未发送：{reason}"),
    }
}

/// Screen-reader announcement of a new message.
pub fn announce(lang: Lang, user: &str, room: &str, text: &str) -> String {
    match lang {
        Lang::En => format!("{user} in {room}: {text}"),
        Lang::ZhCn => format!("{user}（{room}）：{text}"),
    }
}

/// "N unread" badge label.
pub fn unread(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("{n} unread"),
        Lang::ZhCn => format!("{n} 条未读"),
    }
}

/// "N / MAX" length counter.
/// The users of a large room the presence list does not name.
pub fn more_present(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("and {n} more"),
        Lang::ZhCn => format!("还有 {n} 人"),
    }
}

pub fn length(lang: Lang, n: usize, max: usize) -> String {
    match lang {
        Lang::En => format!("{n} / {max} characters"),
        Lang::ZhCn => format!("{n} / {max} 字符"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_browser_preferences() {
        assert_eq!(Lang::from_preferences(["zh-CN", "en"]), Lang::ZhCn);
        assert_eq!(Lang::from_preferences(["fr", "zh-Hans"]), Lang::ZhCn);
        assert_eq!(Lang::from_preferences(["de", "en-GB", "zh"]), Lang::En);
        assert_eq!(Lang::from_preferences([]), Lang::En);
        assert_eq!(Lang::from_tag("zh-cn"), Some(Lang::ZhCn));
    }

    #[test]
    fn every_key_is_translated_differently_where_it_should_be() {
        // Catches a copy-paste of English into the Chinese column.
        let keys = [
            Key::JoinHeading,
            Key::Send,
            Key::Connected,
            Key::Offline,
            Key::EmptyRoom,
            Key::Retry,
        ];
        for k in keys {
            assert_ne!(t(Lang::En, k), t(Lang::ZhCn, k), "{k:?}");
        }
    }

    #[test]
    fn parametrised_strings() {
        assert_eq!(new_messages(Lang::En, 1), "1 new message");
        assert_eq!(new_messages(Lang::En, 3), "3 new messages");
        assert_eq!(
            typing(Lang::En, &["a".into(), "b".into()]),
            "a and b are typing…"
        );
        assert_eq!(typing(Lang::ZhCn, &["a".into()]), "a 正在输入…");
        assert_eq!(
            reconnecting(Lang::En, 4, 2),
            "Reconnecting in 4 s (attempt 2)"
        );
    }

    #[test]
    fn notices_are_translated_with_their_details() {
        use crate::errors::{HistoryError, RequestError, StorageError};
        let history = Notice::HistoryFailed(HistoryError::Request(RequestError::Http {
            status: 503,
            detail: None,
        }));
        assert_eq!(
            notice(Lang::En, &history),
            "Older messages could not be loaded: HTTP 503"
        );
        assert_eq!(notice(Lang::ZhCn, &history), "无法加载更早的消息：HTTP 503");
        let full = Notice::StorageFailed(StorageError::Full);
        assert!(notice(Lang::En, &full).ends_with("local storage is full or disabled"));
        assert_eq!(
            notice(Lang::ZhCn, &Notice::RoomLimit),
            t(Lang::ZhCn, Key::RoomLimit)
        );
    }
}
