//! The message list of the active room.
//!
//! Reading-position aware: it follows new messages only while the reader
//! is at the bottom; otherwise a "N new messages" button offers the jump.
//! Only a window of the newest messages is in the DOM; scrolling to the top
//! widens it, then fetches older history, keeping the view where it was.

use super::controller::Chat;
use super::format;
use super::{tr, use_lang};
use crate::i18n::{new_messages, send_failed, t, Key, Lang};
use crate::room::{continues_group, same_day, Message, Status};
use crate::text::{is_long, linkify, preview, Segment};
use crate::transport::browser::tz_offset_ms;
use leptos::html::Div;
use leptos::prelude::*;

/// Rows rendered at first, and added per scroll to the top.
pub const WINDOW_STEP: usize = 150;
/// Distance from the bottom (px) that still counts as "at the bottom".
const BOTTOM_SLACK: i32 = 48;
/// Distance from the top (px) at which older messages are fetched.
const TOP_TRIGGER: i32 = 200;

/// One rendered row: a message with what its neighbours decide.
#[derive(Clone, PartialEq)]
struct Row {
    msg: Message,
    group_start: bool,
    new_day: bool,
}

/// The scrolling list of messages.
#[component]
pub fn MessageList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let list = NodeRef::<Div>::new();
    let shown = RwSignal::new(WINDOW_STEP);
    let tz = tz_offset_ms();

    // Switching rooms starts with the newest messages again.
    Effect::new(move |prev: Option<String>| {
        let room = chat.state.with(|s| s.active().to_string());
        if prev.as_ref().is_some_and(|p| *p != room) {
            shown.set(WINDOW_STEP);
            chat.state.update(|s| s.set_at_bottom(true));
        }
        room
    });

    let rows = move || {
        let n = shown.get();
        chat.state.with(|s| {
            let Some(room) = s.active_room() else {
                return Vec::new();
            };
            let start = room.len().saturating_sub(n);
            // One extra message above the window decides the first row's grouping.
            let context = start.checked_sub(1).and_then(|i| room.get(i)).cloned();
            let mut prev = context;
            room.window(start, room.len())
                .into_iter()
                .map(|msg| {
                    let group_start = prev.as_ref().is_none_or(|p| !continues_group(p, &msg, tz));
                    let new_day = prev.as_ref().is_none_or(|p| !same_day(p.ts, msg.ts, tz));
                    prev = Some(msg.clone());
                    Row {
                        msg,
                        group_start,
                        new_day,
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    let scroll_to_bottom = move || {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };

    // After each render: follow the bottom when reading, or keep the view
    // still when older rows were added above.
    let prev_height = StoredValue::new(0);
    let prev_first = StoredValue::new(0u64);
    Effect::new(move |_| {
        let first = chat.state.with(|s| {
            s.active_room().and_then(|r| {
                let start = r.len().saturating_sub(shown.get());
                r.get(start).map(|m| m.uid)
            })
        });
        let _ = chat.state.with(|s| {
            s.active_room()
                .map(|r| (r.len(), r.last().map(|m| m.key())))
        });
        let Some(el) = list.get() else { return };
        let at_bottom = chat.state.with_untracked(|s| s.reading())
            || chat
                .state
                .with_untracked(|s| s.active_room().is_some_and(|r| r.is_empty()));
        let first = first.unwrap_or(0);
        if first != prev_first.get_value() && prev_first.get_value() != 0 && !at_bottom {
            el.set_scroll_top(el.scroll_top() + el.scroll_height() - prev_height.get_value());
        } else if at_bottom {
            el.set_scroll_top(el.scroll_height());
        }
        prev_first.set_value(first);
        prev_height.set_value(el.scroll_height());
    });

    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else {
            return;
        };
        let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() <= BOTTOM_SLACK;
        if chat.state.with_untracked(|s| s.reading()) != at_bottom {
            chat.state.update(|s| s.set_at_bottom(at_bottom));
        }
        prev_height.set_value(el.scroll_height());
        if el.scroll_top() <= TOP_TRIGGER {
            let (len, room) = chat.state.with_untracked(|s| {
                (
                    s.active_room().map_or(0, |r| r.len()),
                    s.active().to_string(),
                )
            });
            if shown.get_untracked() < len {
                shown.update(|n| *n += WINDOW_STEP);
            } else {
                chat.load_older(&room);
            }
        }
    };

    let unread_here = move || {
        chat.state.with(|s| {
            if s.reading() {
                0
            } else {
                s.active_room().map_or(0, |r| r.unread)
            }
        })
    };
    let empty = move || {
        chat.state
            .with(|s| s.active_room().is_none_or(|r| r.is_empty()))
    };
    let loading = move || {
        chat.loading_older
            .with(|l| chat.state.with(|s| l.iter().any(|r| r == s.active())))
    };
    let at_start = move || {
        chat.state.with(|s| {
            s.active_room()
                .is_some_and(|r| !r.has_older && r.len() <= shown.get())
        })
    };

    view! {
        <div class="message-pane">
            <div id="message-list" class="message-list" node_ref=list on:scroll=on_scroll tabindex="0"
                role="log" aria-live="off" aria-label=tr(Key::Messages)>
                <Show when=loading>
                    <p class="list-note" role="status">{tr(Key::LoadingOlder)}</p>
                </Show>
                <Show when=move || at_start() && !empty()>
                    <p class="list-note">{tr(Key::BeginningOfRoom)}</p>
                </Show>
                <Show when=empty>
                    <p class="empty-room">{tr(Key::EmptyRoom)}</p>
                </Show>
                <ol class="messages">
                    <For
                        each=rows
                        key=|row| (row.msg.key(), row.group_start, row.new_day)
                        children=move |row| view! { <MessageRow row lang /> }
                    />
                </ol>
            </div>
            <Show when=move || { unread_here() > 0 }>
                <button class="jump-new" on:click=move |_| {
                    scroll_to_bottom();
                    chat.state.update(|s| s.set_at_bottom(true));
                }>
                    {move || new_messages(lang.get(), unread_here())} " ↓"
                </button>
            </Show>
        </div>
    }
}

#[component]
fn MessageRow(row: Row, lang: RwSignal<Lang>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let Row {
        msg,
        group_start,
        new_day,
    } = row;
    let ts = msg.ts;
    let expanded = RwSignal::new(false);
    let long = is_long(&msg.text);
    let text = msg.text.clone();
    let body = move || {
        let shown = if long && !expanded.get() {
            preview(&text)
        } else {
            text.clone()
        };
        linkify(&shown)
            .into_iter()
            .map(|seg| match seg {
                Segment::Text(t) => t.into_any(),
                Segment::Link { href, text } => view! {
                    <a href=href target="_blank" rel="noopener noreferrer">{text}</a>
                }
                .into_any(),
            })
            .collect_view()
    };
    let author = msg.user.clone();
    let mine = msg.mine;
    let author_label = move || match &author {
        Some(u) if mine => format!("{u} ({})", t(lang.get(), Key::You)),
        Some(u) => u.clone(),
        None => t(lang.get(), Key::Anonymous).to_string(),
    };
    let cid = msg.client_id.clone().unwrap_or_default();
    let cid2 = cid.clone();
    let status = msg.status.clone();
    let pending = status == Status::Pending;
    let failed = match &status {
        Status::Failed(r) => Some(r.clone()),
        _ => None,
    };
    let is_failed = failed.is_some();

    view! {
        {new_day.then(|| view! {
            <li class="day-separator" role="separator">
                <span>{move || format::day(ts, lang.get())}</span>
            </li>
        })}
        <li class="msg" class:mine=mine class:continued=!group_start class:pending=pending class:failed=is_failed
            data-id=msg.id.clone().unwrap_or_default()>
            <div class="msg-head" class:sr-only=!group_start>
                <span class="author">{author_label}</span>
                <time datetime=format::iso(ts) title=move || format::full(ts, lang.get()) tabindex="0">
                    {move || format::time(ts, lang.get())}
                </time>
            </div>
            <div class="msg-text">{body}</div>
            {long.then(|| view! {
                <button class="link-button show-more" aria-expanded=move || expanded.get().to_string()
                    on:click=move |_| expanded.update(|e| *e = !*e)>
                    {move || if expanded.get() { t(lang.get(), Key::ShowLess) } else { t(lang.get(), Key::ShowMore) }}
                </button>
            })}
            {pending.then(|| view! { <span class="msg-state">{move || t(lang.get(), Key::Pending)}</span> })}
            {failed.map(|reason| view! {
                <div class="msg-failed" role="alert">
                    <span>{move || send_failed(lang.get(), &reason)}</span>
                    <button on:click=move |_| chat.retry(&cid)>{move || t(lang.get(), Key::Retry)}</button>
                    <button on:click=move |_| chat.discard(&cid2)>{move || t(lang.get(), Key::Discard)}</button>
                </div>
            })}
        </li>
    }
}
