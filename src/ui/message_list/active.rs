//! Which rows show their action bar: the one under the pointer and the one
//! holding the focus. Only those rows render it, so a row's DOM is its
//! content (a bar on each of the 160 rows was a quarter of the list's
//! nodes and most of its effects). One set of listeners serves all rows,
//! and also fills in the full date of a time the pointer or focus reaches.

use crate::i18n::Lang;
use crate::transport::browser::Listener;
use crate::ui::format;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventTarget, FocusEvent, MouseEvent};

/// The rows whose actions are shown, by message uid.
#[derive(Clone, Copy)]
pub struct ActiveRows {
    hovered: RwSignal<Option<u64>>,
    focused: RwSignal<Option<u64>>,
}

impl ActiveRows {
    /// Follows the pointer and focus over message rows while the list is
    /// mounted.
    pub fn follow(lang: RwSignal<Lang>) -> Self {
        let rows = Self {
            hovered: RwSignal::new(None),
            focused: RwSignal::new(None),
        };
        // Plain listeners on the document, removed with the list: one
        // closure type for all three, where `on:` would add rendering code
        // per event type, and no effect waiting for the list's element.
        // The list's owner keeps them: they go when it does.
        StoredValue::new_local(rows.listen(lang));
        rows
    }

    /// Whether row `uid` shows its actions (tracked). A memo: each move
    /// re-checks every row's (a comparison), but re-renders only the two
    /// rows whose answer changed.
    pub fn shows(self, uid: u64) -> Memo<bool> {
        Memo::new(move |_| self.hovered.get() == Some(uid) || self.focused.get() == Some(uid))
    }

    fn listen(self, lang: RwSignal<Lang>) -> Vec<Listener> {
        let full_date = move |ev: &Event| format::show_full_date(ev.target(), lang.get_untracked());
        let on = |name: &str, f: Box<dyn Fn(Event)>| Listener::on_document(name, f);
        [
            on(
                "pointerover",
                Box::new(move |ev| {
                    set_changed(self.hovered, row_uid(ev.target()));
                    full_date(&ev);
                }),
            ),
            // Leaving the window (no element is entered) hides the bar.
            on(
                "pointerout",
                Box::new(move |ev| {
                    let to = ev
                        .dyn_ref::<MouseEvent>()
                        .and_then(MouseEvent::related_target);
                    if to.is_none() {
                        set_changed(self.hovered, None);
                    }
                }),
            ),
            // Only keyboard focus pins a bar: a click on a row's text
            // focuses the row too, and its bar should go with the pointer.
            on(
                "focusin",
                Box::new(move |ev| {
                    let keyboard = target_matches(&ev, ":focus-visible");
                    set_changed(self.focused, row_uid(ev.target()).filter(|_| keyboard));
                    full_date(&ev);
                }),
            ),
            on(
                "focusout",
                Box::new(move |ev| {
                    if focus_left(&ev) {
                        set_changed(self.focused, None);
                    }
                }),
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Whether a `focusout` took the focus off the message rows. Focus moving
/// to another row is handled by the `focusin` that follows. With no new
/// target, the window may merely have lost focus: the bar stays, so the
/// browser can give the focus back to its button.
fn focus_left(ev: &Event) -> bool {
    match ev
        .dyn_ref::<FocusEvent>()
        .and_then(FocusEvent::related_target)
    {
        Some(to) => row_uid(Some(to)).is_none(),
        None => document().has_focus().unwrap_or(true),
    }
}

/// Whether the event's target matches `selector` (yes where the browser
/// cannot tell).
fn target_matches(ev: &Event, selector: &str) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_none_or(|el| el.matches(selector).unwrap_or(true))
}

// Events come often (every child the pointer crosses): only a change wakes
// anything.
fn set_changed(signal: RwSignal<Option<u64>>, uid: Option<u64>) {
    if signal.get_untracked() != uid {
        signal.set(uid);
    }
}

/// The uid of the message row holding `target`.
fn row_uid(target: Option<EventTarget>) -> Option<u64> {
    let el: Element = target?.dyn_into().ok()?;
    el.closest("li.msg[data-uid]")
        .ok()??
        .get_attribute("data-uid")?
        .parse()
        .ok()
}
