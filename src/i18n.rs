//! UI strings in English and Simplified Chinese.
//!
//! One table, one function per parametrised string: a missing translation
//! is a compile error, not a blank label.

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
    Notifications,
    NotificationsBlocked,
    RoomLimit,
    Dismiss,
}

/// The string for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    match (lang, key) {
        (Lang::En, AppName) => "sse-chat",
        (Lang::ZhCn, AppName) => "sse-chat",
        (Lang::En, JoinHeading) => "Join the chat",
        (Lang::ZhCn, JoinHeading) => "加入聊天",
        (Lang::En, Nickname) => "Nickname",
        (Lang::ZhCn, Nickname) => "昵称",
        (Lang::En, NicknameHint) => "1–32 characters; shown next to your messages.",
        (Lang::ZhCn, NicknameHint) => "1–32 个字符，显示在你的消息旁。",
        (Lang::En, Room) => "Room",
        (Lang::ZhCn, Room) => "房间",
        (Lang::En, RoomHint) => "Letters, digits, _ and -.",
        (Lang::ZhCn, RoomHint) => "字母、数字、_ 和 -。",
        (Lang::En, JoinButton) => "Join",
        (Lang::ZhCn, JoinButton) => "加入",
        (Lang::En, Rooms) => "Rooms",
        (Lang::ZhCn, Rooms) => "房间",
        (Lang::En, AddRoom) => "Join",
        (Lang::ZhCn, AddRoom) => "加入",
        (Lang::En, AddRoomLabel) => "Join another room",
        (Lang::ZhCn, AddRoomLabel) => "加入其他房间",
        (Lang::En, Leave) => "Leave",
        (Lang::ZhCn, Leave) => "离开",
        (Lang::En, MessageLabel) => "Message",
        (Lang::ZhCn, MessageLabel) => "消息",
        (Lang::En, MessagePlaceholder) => "Write a message… (Enter sends, Shift+Enter new line)",
        (Lang::ZhCn, MessagePlaceholder) => "输入消息…（Enter 发送，Shift+Enter 换行）",
        (Lang::En, Send) => "Send",
        (Lang::ZhCn, Send) => "发送",
        (Lang::En, Connected) => "Connected",
        (Lang::ZhCn, Connected) => "已连接",
        (Lang::En, Connecting) => "Connecting…",
        (Lang::ZhCn, Connecting) => "正在连接…",
        (Lang::En, Offline) => "Offline — messages are queued",
        (Lang::ZhCn, Offline) => "离线 — 消息将排队发送",
        (Lang::En, RetryNow) => "Retry now",
        (Lang::ZhCn, RetryNow) => "立即重试",
        (Lang::En, Pending) => "Sending…",
        (Lang::ZhCn, Pending) => "发送中…",
        (Lang::En, Retry) => "Retry",
        (Lang::ZhCn, Retry) => "重试",
        (Lang::En, Discard) => "Discard",
        (Lang::ZhCn, Discard) => "丢弃",
        (Lang::En, You) => "you",
        (Lang::ZhCn, You) => "你",
        (Lang::En, Anonymous) => "anonymous",
        (Lang::ZhCn, Anonymous) => "匿名",
        (Lang::En, EmptyRoom) => "No messages yet. Say hello!",
        (Lang::ZhCn, EmptyRoom) => "还没有消息，打个招呼吧！",
        (Lang::En, ConfigError) => "The chat is not configured correctly",
        (Lang::ZhCn, ConfigError) => "聊天配置有误",
        (Lang::En, ConfigHelp) => "Fix config.json or the URL parameters, then reload. See README, “Pointing at a backend”.",
        (Lang::ZhCn, ConfigHelp) => "请修正 config.json 或 URL 参数后重新加载。参见 README 的“Pointing at a backend”。",
        (Lang::En, Language) => "Language",
        (Lang::ZhCn, Language) => "语言",
        (Lang::En, InvalidNickname) => "Enter a nickname of 1–32 characters without leading or trailing spaces.",
        (Lang::ZhCn, InvalidNickname) => "请输入 1–32 个字符的昵称，首尾不能有空格。",
        (Lang::En, InvalidRoom) => "Room names use 1–64 letters, digits, _ or -.",
        (Lang::ZhCn, InvalidRoom) => "房间名由 1–64 个字母、数字、_ 或 - 组成。",
        (Lang::En, ShowMore) => "Show more",
        (Lang::ZhCn, ShowMore) => "展开",
        (Lang::En, ShowLess) => "Show less",
        (Lang::ZhCn, ShowLess) => "收起",
        (Lang::En, LoadingOlder) => "Loading older messages…",
        (Lang::ZhCn, LoadingOlder) => "正在加载更早的消息…",
        (Lang::En, BeginningOfRoom) => "This is the beginning of the room.",
        (Lang::ZhCn, BeginningOfRoom) => "这是房间的开始。",
        (Lang::En, Present) => "In this room",
        (Lang::ZhCn, Present) => "房间成员",
        (Lang::En, Messages) => "Messages",
        (Lang::ZhCn, Messages) => "消息",
        (Lang::En, TooLong) => "Message is too long",
        (Lang::ZhCn, TooLong) => "消息过长",
        (Lang::En, Notifications) => "Desktop notifications",
        (Lang::ZhCn, Notifications) => "桌面通知",
        (Lang::En, NotificationsBlocked) => "Notifications are blocked in the browser settings.",
        (Lang::ZhCn, NotificationsBlocked) => "浏览器设置已阻止通知。",
        (Lang::En, Dismiss) => "Dismiss",
        (Lang::ZhCn, Dismiss) => "关闭",
        (Lang::En, RoomLimit) => "You can follow at most 20 rooms. Leave one first.",
        (Lang::ZhCn, RoomLimit) => "最多可关注 20 个房间，请先离开一个。",
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

/// Notice: an event was skipped.
pub fn skipped_event(lang: Lang, why: &str) -> String {
    match lang {
        Lang::En => format!("An event could not be read and was skipped ({why})"),
        Lang::ZhCn => format!("有一条事件无法读取，已跳过（{why}）"),
    }
}

/// Notice: the outbox cannot be saved.
pub fn storage_failed(lang: Lang, why: &str) -> String {
    match lang {
        Lang::En => format!("Unsent messages cannot be saved for a reload: {why}"),
        Lang::ZhCn => format!("未发送的消息无法保存，重新加载后将丢失：{why}"),
    }
}

/// Notice: the saved outbox could not be read.
pub fn outbox_unreadable(lang: Lang, why: &str) -> String {
    match lang {
        Lang::En => format!("Unsent messages saved earlier could not be read: {why}"),
        Lang::ZhCn => format!("之前保存的未发送消息无法读取：{why}"),
    }
}

/// Notice: scroll-back failed.
pub fn history_failed(lang: Lang, why: &str) -> String {
    match lang {
        Lang::En => format!("Older messages could not be loaded: {why}"),
        Lang::ZhCn => format!("无法加载更早的消息：{why}"),
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
}
