//! The emoji the reaction picker offers, with words to find them by (in
//! English and Chinese), and the search over them. Pure, tested natively.

/// Shown first, without searching.
pub const QUICK: &[&str] = &["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];

/// Every emoji offered, each with its search words.
pub const ALL: &[(&str, &str)] = &[
    ("👍", "thumbs up yes ok agree like 赞 好"),
    ("👎", "thumbs down no dislike 踩 不"),
    ("❤️", "heart love red 爱心 喜欢"),
    ("😂", "joy laugh tears funny lol 笑哭 哈哈"),
    ("🎉", "party tada celebrate congrats 庆祝 恭喜"),
    ("😮", "wow surprised open mouth 惊讶 哇"),
    ("😢", "sad cry tear 难过 哭"),
    ("🙏", "pray thanks please folded hands 谢谢 拜托"),
    ("👀", "eyes look watching 看 关注"),
    ("😄", "smile happy grin 开心 微笑"),
    ("😅", "sweat smile relief phew 尴尬 汗"),
    ("😉", "wink 眨眼"),
    ("😍", "heart eyes love 喜爱 花痴"),
    ("🤔", "thinking hmm think 思考 想"),
    ("😎", "cool sunglasses 酷"),
    ("😡", "angry mad rage 生气 愤怒"),
    ("😱", "scream fear shocked 惊恐"),
    ("🥳", "party face birthday 派对 生日"),
    ("😴", "sleep tired zzz 睡觉 困"),
    ("🤯", "mind blown exploding 震惊"),
    ("🙌", "raised hands hooray praise 欢呼"),
    ("👏", "clap applause bravo 鼓掌"),
    ("💪", "muscle strong flex 加油 强"),
    ("🤝", "handshake deal agree 握手 合作"),
    ("👋", "wave hello hi bye 挥手 你好 再见"),
    ("✅", "check done yes tick 完成 对"),
    ("❌", "cross no wrong 错 不"),
    ("⚠️", "warning caution 警告 注意"),
    ("🔥", "fire hot lit 火 热"),
    ("✨", "sparkles shiny new 闪亮"),
    ("⭐", "star favourite 星 收藏"),
    ("💯", "hundred perfect 满分 完美"),
    ("🚀", "rocket ship launch fast 火箭 发布"),
    ("🐛", "bug insect 虫 缺陷"),
    ("💡", "idea bulb light 想法 灯泡"),
    ("📌", "pin pushpin 置顶 钉"),
    ("☕", "coffee tea break 咖啡 茶"),
    ("🍕", "pizza food 披萨"),
    ("🍰", "cake dessert 蛋糕"),
    ("🎂", "birthday cake 生日蛋糕"),
    ("🌧️", "rain cloud weather 下雨"),
    ("☀️", "sun sunny weather 太阳 晴"),
    ("🐱", "cat kitten 猫"),
    ("🐶", "dog puppy 狗"),
    ("🤖", "robot bot 机器人"),
    ("💬", "speech comment chat 聊天 评论"),
    ("➕", "plus add one 加"),
    ("❓", "question what 问题 疑问"),
];

/// The emoji whose words contain every word of `query` (case-insensitive;
/// an emoji pasted as the query finds itself). An empty query gives all.
pub fn search(query: &str) -> Vec<&'static str> {
    // ASCII folding only: the words are English and Chinese, and the
    // Unicode case tables would cost the wasm 11 KB.
    let query = query.trim().to_ascii_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    ALL.iter()
        .filter(|(emoji, names)| words.iter().all(|w| names.contains(w) || emoji.contains(w)))
        .map(|(emoji, _)| *emoji)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_words_in_either_language() {
        assert_eq!(search("thumbs up"), ["👍"]);
        assert_eq!(search("CAKE"), ["🍰", "🎂"]);
        assert_eq!(search("庆祝"), ["🎉"]);
        assert_eq!(search("🔥"), ["🔥"]);
        assert!(search("nothing-like-this").is_empty());
        assert_eq!(search("  ").len(), ALL.len());
    }

    #[test]
    fn the_quick_ones_are_searchable_too() {
        for q in QUICK {
            assert!(ALL.iter().any(|(e, _)| e == q), "{q}");
        }
    }
}
