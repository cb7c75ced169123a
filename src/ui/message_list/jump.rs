//! Bringing one message into view (a reply's original): the window moves
//! to it, loading older history page by page until it is held, and the row
//! is scrolled near the top, focused and highlighted.

use super::list_state::ListState;
use super::scroll;
use super::window::{View, STEP};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Where the row lands: this far below the viewport's top (px).
const JUMP_OFFSET: i32 = 40;

/// Follows [`crate::chat::Chat::jump_target`].
pub(super) fn follow_jumps(ls: ListState) {
    let chat = ls.chat;
    Effect::new(move |_| {
        let Some(id) = chat.jump_target().get() else {
            return;
        };
        // Tracked: the effect runs again when a history page arrives.
        let found = chat.state().with(|s| {
            let room = s.active_room()?;
            let log = room.log();
            let i = log
                .iter()
                // The newest with the id: after a backend restarted
                // counting, the current one.
                .rposition(|m| m.id.as_deref() == Some(id.as_str()))?;
            Some((log.get(i)?.uid, log.base() + i as i64))
        });
        let Some((uid, at)) = found else {
            let room = chat.state().with_untracked(|s| s.active().to_string());
            // Not in this room's past at all, or no way to look further.
            if !chat.load_older(&room) {
                chat.jump_done();
            }
            return;
        };
        chat.jump_done();
        chat.set_at_bottom(false);
        ls.anchor.set_value(Some((uid, JUMP_OFFSET)));
        ls.view.set(View::Range(at - STEP, at + STEP));
        // Two frames: the window renders in the first.
        request_animation_frame(move || {
            request_animation_frame(move || highlight(ls, uid));
        });
    });
}

fn highlight(ls: ListState, uid: u64) {
    let Some(Some(list)) = ls.list.try_get_untracked() else {
        return;
    };
    scroll::restore(&list, (uid, JUMP_OFFSET));
    let selector = format!("li.msg[data-uid=\"{uid}\"]");
    let Some(row) = list
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|r| r.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    // Focus moves the screen reader there too. A row that is no tab stop
    // (it offers no action) becomes focusable, still out of the tab order.
    if !row.has_attribute("tabindex") {
        let _ = row.set_attribute("tabindex", "-1");
    }
    let _ = row.class_list().add_1("jumped");
    let _ = row.focus();
}
