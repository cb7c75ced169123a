//! What the message list's parts (the list, its effects, jumps) share.

use super::scroll::Anchor;
use super::window::View;
use crate::chat::Chat;
use leptos::html::Div;
use leptos::prelude::*;

/// What the list's parts share.
#[derive(Clone, Copy)]
pub(super) struct ListState {
    pub chat: Chat,
    pub list: NodeRef<Div>,
    pub view: RwSignal<View>,
    /// The row to keep in place across the next render.
    pub anchor: StoredValue<Option<Anchor>>,
    /// Scroll position at the last scroll event, to tell "up" from "down".
    pub last_top: StoredValue<i32>,
}

impl ListState {
    /// The absolute range shown, clamped to what is in memory (tracked).
    pub fn range(&self) -> (i64, i64) {
        let view = self.view.get();
        self.chat.state().with(|s| {
            s.active_room()
                .map_or((0, 0), |r| view.range(r.log().base(), r.log().end()))
        })
    }
}
