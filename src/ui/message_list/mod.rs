//! The message list of the active room.
//!
//! Reading-position aware: it follows new messages only while the reader
//! is at the bottom; otherwise a "N new messages" button offers the jump.
//!
//! Windowed: only a window of at most [`MAX_ROWS`] rows is in the DOM,
//! whatever the room's length. The window follows the newest messages, and
//! scrolling near its top or bottom edge shifts it by [`STEP`] rows. The
//! row at the top of the viewport is noted at every scroll and kept in
//! place across every render (shifts, history arriving above, grouping
//! changes), so the view never jumps whatever the rows' heights. At the
//! oldest message in memory it fetches older history.

use super::controller::Chat;
use super::format;
use super::{tr, use_lang};
use crate::i18n::{new_messages, send_failed, t, Key, Lang};
use crate::room::{continues_group, same_day, Message, Status};
use crate::text::{is_long, linkify, preview, Segment};
use crate::transport::browser::tz_offset_ms;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rows kept in the DOM at most.
pub const MAX_ROWS: i64 = 160;
/// Rows a window shift adds at one edge.
pub const STEP: i64 = 50;
/// Distance from the bottom (px) that still counts as "at the bottom".
const BOTTOM_SLACK: i32 = 48;
/// Distance from an edge (px) at which the window shifts.
const EDGE_TRIGGER: i32 = 300;

/// One rendered row: a message with what its neighbours decide.
#[derive(Clone, PartialEq)]
struct Row {
    msg: Message,
    group_start: bool,
    new_day: bool,
}

/// Where the view is: following the newest messages, or a fixed range of
/// absolute positions (see [`crate::room::Room::base`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum View {
    Follow,
    Range(i64, i64),
}

/// The scrolling list of messages.
#[component]
pub fn MessageList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let list = NodeRef::<Div>::new();
    let view = RwSignal::new(View::Follow);
    let tz = tz_offset_ms();
    // A row to keep in place across the next render: (uid, offset from the
    // viewport's top).
    let anchor = StoredValue::new(None::<(u64, i32)>);
    // Scroll position at the last scroll event, to tell "up" from "down".
    let last_top = StoredValue::new(0);

    // Switching rooms starts at the newest messages again.
    Effect::new(move |prev: Option<String>| {
        let room = chat.state.with(|s| s.active().to_string());
        if prev.as_ref().is_some_and(|p| *p != room) {
            anchor.set_value(None);
            view.set(View::Follow);
            chat.state.update(|s| s.set_at_bottom(true));
        }
        room
    });

    // The range shown, in absolute positions, clamped to what is in memory.
    let range = move || {
        chat.state.with(|s| {
            let Some(room) = s.active_room() else {
                return (0, 0);
            };
            let (base, end) = (room.base(), room.end());
            match view.get() {
                View::Follow => ((end - MAX_ROWS).max(base), end),
                View::Range(a, b) => (a.clamp(base, end), b.clamp(base, end)),
            }
        })
    };

    // Memoised: the list and the scroll effect share one computation, and
    // an update that changes no visible row renders nothing.
    let rows = Memo::new(move |_| {
        let (start, end) = range();
        chat.state.with(|s| {
            let Some(room) = s.active_room() else {
                return Vec::new();
            };
            let (mut prev, window) = room.window_abs(start, end);
            window
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
    });

    // Notes the first row visible at the top of the viewport.
    let note_anchor = move || {
        let Some(el) = list.get_untracked() else {
            return;
        };
        let top = el.scroll_top();
        let Ok(rows) = el.query_selector_all("li.msg") else {
            return;
        };
        for i in 0..rows.length() {
            let Some(row) = rows
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            if row.offset_top() + row.offset_height() > top {
                if let Some(uid) = row.get_attribute("data-uid").and_then(|u| u.parse().ok()) {
                    anchor.set_value(Some((uid, row.offset_top() - top)));
                }
                return;
            }
        }
    };

    // After each render: stay at the bottom while following, otherwise keep
    // the anchor row where the reader last saw it.
    Effect::new(move |_| {
        rows.track();
        request_animation_frame(move || {
            // The list may be gone by the time the frame comes.
            let (Some(Some(el)), Some(view), Some(noted)) = (
                list.try_get_untracked(),
                view.try_get_untracked(),
                anchor.try_get_value(),
            ) else {
                return;
            };
            if view == View::Follow {
                el.set_scroll_top(el.scroll_height());
                last_top.try_set_value(el.scroll_top());
                return;
            }
            if let Some((uid, offset)) = noted {
                if let Ok(Some(row)) = el.query_selector(&format!("li.msg[data-uid=\"{uid}\"]")) {
                    if let Ok(row) = row.dyn_into::<web_sys::HtmlElement>() {
                        el.set_scroll_top(row.offset_top() - offset);
                    }
                }
            }
        });
    });

    // When older history arrives while the window sits at the top, show it.
    Effect::new(move |prev_base: Option<i64>| {
        let base = chat.state.with(|s| s.active_room().map_or(0, |r| r.base()));
        if let (Some(prev), View::Range(a, b)) = (prev_base, view.get_untracked()) {
            if base < prev && a <= prev {
                let a = (a - STEP).max(base);
                view.set(View::Range(a, b.min(a + MAX_ROWS)));
            }
        }
        base
    });

    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else {
            return;
        };
        // Like the browser's own scroll anchoring (switched off in CSS, as
        // it would fight this): the row at the top of the viewport, noted
        // at every scroll, is kept in place across every later render.
        note_anchor();
        let below = el.scroll_height() - el.scroll_top() - el.client_height();
        let at_bottom = below <= BOTTOM_SLACK;
        let (start, end) = range();
        let (base, room_end, room) = chat.state.with_untracked(|s| {
            s.active_room().map_or((0, 0, String::new()), |r| {
                (r.base(), r.end(), r.name.clone())
            })
        });
        // Only the reader scrolling up stops the list from following: our
        // own scrolls to the bottom (and content growing) never move it up.
        let top = el.scroll_top();
        let moved_up = top < last_top.get_value() - 2;
        last_top.set_value(top);
        let following = view.get_untracked() == View::Follow;
        if following && moved_up && !at_bottom {
            view.set(View::Range(start, end));
        } else if !following && at_bottom && end >= room_end {
            view.set(View::Follow);
        }
        let reading = view.get_untracked() == View::Follow;
        if chat.state.with_untracked(|s| s.reading()) != reading {
            chat.state.update(|s| s.set_at_bottom(reading));
        }
        if el.scroll_top() <= EDGE_TRIGGER {
            if start > base {
                let a = (start - STEP).max(base);
                view.set(View::Range(a, end.min(a + MAX_ROWS)));
            } else {
                chat.load_older(&room);
            }
        } else if below <= EDGE_TRIGGER && end < room_end && view.get_untracked() != View::Follow {
            let b = (end + STEP).min(room_end);
            view.set(View::Range(start.max(b - MAX_ROWS), b));
        }
    };

    let jump_to_newest = move || {
        view.set(View::Follow);
        chat.state.update(|s| s.set_at_bottom(true));
        // The render effect scrolls to the bottom once the rows are in.
    };
    // Escape in the composer asks for the same jump.
    Effect::new(move |prev: Option<u32>| {
        let n = chat.jump_requests.get();
        if prev.is_some() {
            jump_to_newest();
        }
        n
    });

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
        let (start, _) = range();
        chat.state.with(|s| {
            s.active_room()
                .is_some_and(|r| !r.has_older && start <= r.base())
        })
    };

    view! {
        <div class="message-pane">
            <div id="message-list" class="message-list" node_ref=list on:scroll=on_scroll tabindex="0"
                role="log" aria-live="off" aria-label=tr(Key::Messages)>
                <Show when=move || at_start() && !empty()>
                    <p class="list-note">{tr(Key::BeginningOfRoom)}</p>
                </Show>
                <Show when=empty>
                    <p class="empty-room">{tr(Key::EmptyRoom)}</p>
                </Show>
                <ol class="messages">
                    <For
                        each=move || rows.get()
                        key=|row| (row.msg.key(), row.group_start, row.new_day)
                        children=move |row| view! { <MessageRow row lang /> }
                    />
                </ol>
            </div>
            // Outside the scrolling box, so showing it moves no message.
            <Show when=loading>
                <p class="loading-older" role="status">{tr(Key::LoadingOlder)}</p>
            </Show>
            <Show when=move || { unread_here() > 0 }>
                <button class="jump-new" on:click=move |_| jump_to_newest()>
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
    let uid = msg.uid.to_string();
    let ts = msg.ts;
    // Computed once per row (and language), used for hover and focus.
    let full_date = Memo::new(move |_| format::full(ts, lang.get()));
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
            <li class="day-separator">
                <span>{move || format::day(ts, lang.get())}</span>
            </li>
        })}
        <li class="msg" class:mine=mine data-uid=uid class:continued=!group_start class:pending=pending class:failed=is_failed
            data-id=msg.id.clone().unwrap_or_default()>
            <div class="msg-head" class:sr-only=!group_start>
                <span class="author">{author_label}</span>
                <time
                    datetime=format::iso(ts)
                    title=full_date
                    data-full=full_date
                    // Only the times in view are tab stops; a focused one
                    // shows its full date (CSS), as hovering does.
                    tabindex=group_start.then_some("0")
                >
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
