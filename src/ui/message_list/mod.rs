//! The message list of the active room.
//!
//! Reading-position aware: it follows new messages only while the reader
//! is at the bottom; otherwise a "N new messages" button offers the jump.
//!
//! Windowed ([`window`]): only a window of at most [`MAX_ROWS`] rows is in
//! the DOM. The row at the top of the viewport is noted at every scroll and
//! kept in place across every render (shifts, history arriving above,
//! grouping changes), so the view never jumps whatever the rows' heights.
//! At the oldest message in memory it fetches older history.
//!
//! The rules are pure and tested natively: [`rows`] (grouping, day
//! separators) and [`window`] (range, shifts); [`scroll`] measures the DOM,
//! [`row`] renders one message.

pub mod active;
pub mod body;
pub mod emoji;
pub mod extras;
pub mod jump;
pub mod list_state;
pub mod row;
pub mod rows;
pub mod scroll;
pub mod window;

pub use window::{MAX_ROWS, STEP};

use crate::chat::Chat;
use crate::i18n::{new_messages, Key};
use crate::transport::browser::tz_offset_ms;
use crate::ui::{tr, use_lang};
use active::ActiveRows;
use leptos::prelude::*;
use list_state::ListState;
use row::MessageRow;
use window::View;

/// The scrolling list of messages.
#[component]
pub fn MessageList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let ls = ListState {
        chat,
        list: NodeRef::new(),
        view: RwSignal::new(View::Follow),
        anchor: StoredValue::new(None),
        last_top: StoredValue::new(0),
    };
    provide_context(ActiveRows::follow(lang));
    let tz = tz_offset_ms();
    // Memoised: the list and the scroll effect share one computation, and
    // an update that changes no visible row renders nothing.
    let rows = Memo::new(move |_| {
        let (start, end) = ls.range();
        chat.state().with(|s| {
            s.active_room().map_or_else(Vec::new, |room| {
                let (before, window) = room.log().window_abs(start, end);
                rows::rows(before, window, tz, s.marker())
            })
        })
    });
    follow_the_reader(ls);
    keep_position_after_render(ls, rows);
    jump::follow_jumps(ls);
    let unread_here = move || {
        chat.state().with(|s| {
            if s.reading() {
                0
            } else {
                s.active_room().map_or(0, |r| r.unread())
            }
        })
    };
    let empty = move || {
        chat.state()
            .with(|s| s.active_room().is_none_or(|r| r.log().is_empty()))
    };
    let loading = move || {
        chat.loading_older()
            .with(|l| chat.state().with(|s| l.iter().any(|r| r == s.active())))
    };
    let at_start = move || {
        let (start, _) = ls.range();
        chat.state().with(|s| {
            s.active_room()
                .is_some_and(|r| !r.log().has_older() && start <= r.log().base())
        })
    };

    view! {
        <div class="message-pane">
            <div id="message-list" class="message-list" node_ref=ls.list on:scroll=move |_| on_scroll(ls) tabindex="0"
                role="log" aria-live="off" aria-label=tr(Key::Messages)>
                <Show when=move || at_start() && !empty()>
                    <p class="list-note">{tr(Key::BeginningOfRoom)}</p>
                </Show>
                <Show when=empty>
                    <p class="empty-room">{tr(Key::EmptyRoom)}</p>
                </Show>
                <ol class="messages">
                    <For each=move || rows.get() key=rows::Row::key children=move |row| view! { <MessageRow row lang /> } />
                </ol>
            </div>
            // Outside the scrolling box, so showing it moves no message.
            <Show when=loading>
                <p class="loading-older" role="status">{tr(Key::LoadingOlder)}</p>
            </Show>
            <Show when=move || { unread_here() > 0 }>
                <button class="jump-new" on:click=move |_| chat.jump_to_newest()>
                    {move || new_messages(lang.get(), unread_here())} " ↓"
                </button>
            </Show>
        </div>
    }
}

/// Keeps the view in step with the chat: a room switch starts at the
/// newest messages, "jump to newest" (from anywhere) follows again, and
/// history arriving above a window at the top grows it to show them.
fn follow_the_reader(ls: ListState) {
    let chat = ls.chat;
    Effect::new(move |prev: Option<String>| {
        let room = chat.state().with(|s| s.active().to_string());
        if prev.is_some_and(|p| p != room) {
            ls.anchor.set_value(None);
            ls.view.set(View::Follow);
            chat.set_at_bottom(true);
        }
        room
    });
    let at_bottom = Memo::new(move |_| chat.state().with(|s| s.at_bottom()));
    Effect::new(move |_| {
        if at_bottom.get() && ls.view.get_untracked() != View::Follow {
            // The render effect scrolls to the bottom once the rows are in.
            ls.view.set(View::Follow);
        }
    });
    Effect::new(move |prev_base: Option<i64>| {
        let base = chat
            .state()
            .with(|s| s.active_room().map_or(0, |r| r.log().base()));
        if let Some(grown) =
            prev_base.and_then(|p| window::after_history(ls.view.get_untracked(), p, base))
        {
            ls.view.set(grown);
        }
        base
    });
}

/// After each render: stay at the bottom while following, otherwise keep
/// the anchor row where the reader last saw it.
fn keep_position_after_render(ls: ListState, rows: Memo<Vec<rows::Row>>) {
    Effect::new(move |_| {
        rows.track();
        request_animation_frame(move || {
            // The list may be gone by the time the frame comes.
            let (Some(Some(el)), Some(view), Some(noted)) = (
                ls.list.try_get_untracked(),
                ls.view.try_get_untracked(),
                ls.anchor.try_get_value(),
            ) else {
                return;
            };
            if view == View::Follow {
                ls.last_top.try_set_value(scroll::to_bottom(&el));
            } else if let Some(anchor) = noted {
                scroll::restore(&el, anchor);
            }
        });
    });
}

fn on_scroll(ls: ListState) {
    let Some(el) = ls.list.get_untracked() else {
        return;
    };
    // Like the browser's own scroll anchoring (switched off in CSS, as it
    // would fight this): the row at the top of the viewport, noted at every
    // scroll, is kept in place across every later render.
    if let Some(anchor) = scroll::top_row(&el) {
        ls.anchor.set_value(Some(anchor));
    }
    let measured = scroll::measure(&el, ls.last_top.get_value());
    ls.last_top.set_value(el.scroll_top());
    let chat = ls.chat;
    let (base, end, room, at_bottom) = chat.state().with_untracked(|s| {
        let (base, end, room) = s.active_room().map_or((0, 0, String::new()), |r| {
            (r.log().base(), r.log().end(), r.name.clone())
        });
        (base, end, room, s.at_bottom())
    });
    let step = window::after_scroll(ls.view.get_untracked(), measured, base, end);
    if step.view != ls.view.get_untracked() {
        ls.view.set(step.view);
    }
    if at_bottom != step.following {
        chat.set_at_bottom(step.following);
    }
    if step.load_older {
        chat.load_older(&room);
    }
}
