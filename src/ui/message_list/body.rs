//! A message's text: formatted ([`crate::markup`]: code, quotes, bold,
//! italic, strike, mentions) unless the configuration turns formatting
//! off, links only for http, https and mailto, folded behind "Show more"
//! when long. Every piece of the message is a text node.

use crate::chat::Chat;
use crate::i18n::{t, Key, Lang};
use crate::markup::{parse, Block, Inline};
use crate::text::{is_long, linkify, preview, Segment};
use leptos::prelude::*;

/// The text, formatted and linkified, folded behind "Show more" when long.
#[component]
pub fn MessageBody(
    /// The message text.
    text: String,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let formatting = chat.config().formatting;
    let me = chat.state().with_untracked(|s| s.me().to_string());
    let expanded = RwSignal::new(false);
    let long = is_long(&text);
    let body = move || {
        let shown = if long && !expanded.get() {
            preview(&text)
        } else {
            text.clone()
        };
        if !formatting {
            return links(&shown);
        }
        one_or_all(parse(&shown, &me), block)
    };
    view! {
        <div class="msg-text">{body}</div>
        {long.then(|| view! {
            <button class="link-button show-more" aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { t(lang.get(), Key::ShowLess) } else { t(lang.get(), Key::ShowMore) }}
            </button>
        })}
    }
}

fn block(b: Block) -> AnyView {
    match b {
        Block::Text(inlines) => one_or_all(inlines, inline),
        Block::Quote(inlines) => {
            view! { <blockquote>{inlines.into_iter().map(inline).collect_view()}</blockquote> }
                .into_any()
        }
        Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
    }
}

fn inline(i: Inline) -> AnyView {
    let children = |c: Vec<Inline>| c.into_iter().map(inline).collect_view();
    match i {
        Inline::Text(s) => links(&s),
        Inline::Code(s) => view! { <code>{s}</code> }.into_any(),
        Inline::Bold(c) => view! { <strong>{children(c)}</strong> }.into_any(),
        Inline::Italic(c) => view! { <em>{children(c)}</em> }.into_any(),
        Inline::Strike(c) => view! { <s>{children(c)}</s> }.into_any(),
        Inline::Mention { name, me } => {
            view! { <span class="mention" class:me=me>"@" {name}</span> }.into_any()
        }
    }
}

/// Text with its links.
fn links(text: &str) -> AnyView {
    one_or_all(linkify(text), |seg| match seg {
        Segment::Text(t) => t.into_any(),
        Segment::Link { href, text } => view! {
            <a href=href target="_blank" rel="noopener noreferrer">{text}</a>
        }
        .into_any(),
    })
}

/// The views of `items`. A lone item is rendered by itself: a list adds a
/// marker node, and most messages are one plain text (three nested lists
/// were three of a row's twenty nodes).
fn one_or_all<T>(mut items: Vec<T>, view: impl Fn(T) -> AnyView) -> AnyView {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return view(only);
        }
    }
    items.into_iter().map(view).collect_view().into_any()
}
