//! UI strings in English and Simplified Chinese.
//!
//! One table, one function per parametrised string: a missing translation
//! is a compile error, not a blank label. Notices arrive as data
//! ([`Notice`]) and are translated when rendered.

use crate::errors::Notice;

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

/// Fixed UI strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    AppName,
    JoinHeading,
    Nickname,
    NicknameHint,
    Room,
    RoomHint,
    JoinButton,
    Rooms,
    AddRoom,
    AddRoomLabel,
    Leave,
    MessageLabel,
    MessagePlaceholder,
    Send,
    Connected,
    Connecting,
    Offline,
    RetryNow,
    Pending,
    Retry,
    Discard,
    You,
    Anonymous,
    EmptyRoom,
    ConfigError,
    ConfigHelp,
    Language,
    InvalidNickname,
    InvalidRoom,
    ShowMore,
    ShowLess,
    LoadingOlder,
    BeginningOfRoom,
    Present,
    Messages,
    TooLong,
    TextInvisible,
    TextBidi,
    Notifications,
    NotificationsBlocked,
    RoomLimit,
    Dismiss,
}

/// The string for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => english(key),
        Lang::ZhCn => chinese(key),
    }
}

fn english(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppName => "sse-chat",
        JoinHeading => "Join the chat",
        Nickname => "Nickname",
        NicknameHint => "1–32 characters; shown next to your messages.",
        Room => "Room",
        RoomHint => "Letters, digits, _ and -.",
        JoinButton => "Join",
        Rooms => "Rooms",
        AddRoom => "Join",
        AddRoomLabel => "Join another room",
        Leave => "Leave",
        MessageLabel => "Message",
        MessagePlaceholder => "Write a message… (Enter sends, Shift+Enter new line)",
        Send => "Send",
        Connected => "Connected",
        Connecting => "Connecting…",
        Offline => "Offline — messages are queued",
        RetryNow => "Retry now",
        Pending => "Sending…",
        Retry => "Retry",
        Discard => "Discard",
        You => "you",
        Anonymous => "anonymous",
        EmptyRoom => "No messages yet. Say hello!",
        ConfigError => "The chat is not configured correctly",
        ConfigHelp => "Fix config.json or the URL parameters, then reload. See README, “Pointing at a backend”.",
        Language => "Language",
        InvalidNickname => "Enter a nickname of 1–32 characters without leading or trailing spaces.",
        InvalidRoom => "Room names use 1–64 letters, digits, _ or -.",
        ShowMore => "Show more",
        ShowLess => "Show less",
        LoadingOlder => "Loading older messages…",
        BeginningOfRoom => "This is the beginning of the room.",
        Present => "In this room",
        Messages => "Messages",
        TooLong => "Message is too long",
        TextInvisible => "Message has no visible character",
        TextBidi => "Message must not contain text direction overrides (U+202A–U+202E, U+2066–U+2069)",
        Notifications => "Desktop notifications",
        NotificationsBlocked => "Notifications are blocked in the browser settings.",
        Dismiss => "Dismiss",
        RoomLimit => "You can follow at most 20 rooms. Leave one first.",
    }
}

fn chinese(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppName => "sse-chat",
        JoinHeading => "加入聊天",
        Nickname => "昵称",
        NicknameHint => "1–32 个字符，显示在你的消息旁。",
        Room => "房间",
        RoomHint => "字母、数字、_ 和 -。",
        JoinButton => "加入",
        Rooms => "房间",
        AddRoom => "加入",
        AddRoomLabel => "加入其他房间",
        Leave => "离开",
        MessageLabel => "消息",
        MessagePlaceholder => "输入消息…（Enter 发送，Shift+Enter 换行）",
        Send => "发送",
        Connected => "已连接",
        Connecting => "正在连接…",
        Offline => "离线 — 消息将排队发送",
        RetryNow => "立即重试",
        Pending => "发送中…",
        Retry => "重试",
        Discard => "丢弃",
        You => "你",
        Anonymous => "匿名",
        EmptyRoom => "还没有消息，打个招呼吧！",
        ConfigError => "聊天配置有误",
        ConfigHelp => {
            "请修正 config.json 或 URL 参数后重新加载。参见 README 的“Pointing at a backend”。"
        }
        Language => "语言",
        InvalidNickname => "请输入 1–32 个字符的昵称，首尾不能有空格。",
        InvalidRoom => "房间名由 1–64 个字母、数字、_ 或 - 组成。",
        ShowMore => "展开",
        ShowLess => "收起",
        LoadingOlder => "正在加载更早的消息…",
        BeginningOfRoom => "这是房间的开始。",
        Present => "房间成员",
        Messages => "消息",
        TooLong => "消息过长",
        TextInvisible => "消息没有可见的字符",
        TextBidi => "消息不能包含文字方向覆盖字符（U+202A–U+202E、U+2066–U+2069）",
        Notifications => "桌面通知",
        NotificationsBlocked => "浏览器设置已阻止通知。",
        Dismiss => "关闭",
        RoomLimit => "最多可关注 20 个房间，请先离开一个。",
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
        (_, Notice::RoomLimit) => t(lang, Key::RoomLimit).to_string(),
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
