//! `@name` completion in the composer: typing `@` and the start of a name
//! offers the people present and recent authors of the room; Up and Down
//! choose, Enter or Tab take the name, Escape closes the list. The list is
//! a listbox the textarea points at (`aria-controls`,
//! `aria-activedescendant`), so screen readers follow the choice.

use crate::chat::Chat;
use crate::i18n::Key;
use crate::markup::{complete, insert_mention, mention_at};
use crate::ui::tr;
use leptos::html::Textarea;
use leptos::prelude::*;

/// Names offered at most.
const OFFERED: usize = 8;
/// Recent authors looked at (newest first).
const RECENT_AUTHORS: usize = 200;

/// The open list: where the `@` is, and the names offered.
#[derive(Clone, Debug, PartialEq)]
struct Offer {
    at: usize,
    names: Vec<String>,
}

/// The completion state a composer holds.
#[derive(Clone, Copy)]
pub struct MentionBox {
    offer: RwSignal<Option<Offer>>,
    selected: RwSignal<usize>,
}

impl MentionBox {
    pub fn new() -> Self {
        MentionBox {
            offer: RwSignal::new(None),
            selected: RwSignal::new(0),
        }
    }

    /// The text changed: offer names for the `@name` before the caret.
    pub fn on_input(&self, chat: Chat, input: NodeRef<Textarea>) {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let text = el.value();
        let caret = caret_chars(&text, &el);
        let offer = mention_at(&text, caret).and_then(|(at, typed)| {
            let names = chat.state().with_untracked(|s| {
                let me = s.me().to_string();
                let room = s.active_room()?;
                let present = room.present().iter().map(String::as_str);
                let recent = room
                    .log()
                    .iter()
                    .rev()
                    .take(RECENT_AUTHORS)
                    .filter_map(|m| m.user.as_deref());
                Some(complete(&typed, present.chain(recent), &me, OFFERED))
            })?;
            (!names.is_empty()).then_some(Offer { at, names })
        });
        self.selected.set(0);
        self.offer.set(offer);
    }

    /// A key in the composer; true when the list used it.
    pub fn on_key(&self, key: &str, text: RwSignal<String>, input: NodeRef<Textarea>) -> bool {
        let Some(offer) = self.offer.get_untracked() else {
            return false;
        };
        let n = offer.names.len();
        match key {
            "ArrowDown" => self.selected.update(|i| *i = (*i + 1) % n),
            "ArrowUp" => self.selected.update(|i| *i = (*i + n - 1) % n),
            "Enter" | "Tab" => self.take(self.selected.get_untracked(), text, input),
            "Escape" => self.offer.set(None),
            _ => return false,
        }
        true
    }

    /// Puts offered name `i` into the text.
    fn take(&self, i: usize, text: RwSignal<String>, input: NodeRef<Textarea>) {
        let (Some(offer), Some(el)) = (self.offer.get_untracked(), input.get_untracked()) else {
            return;
        };
        let Some(name) = offer.names.get(i) else {
            return;
        };
        let current = el.value();
        let caret = caret_chars(&current, &el);
        // The caret moved away from the `@name` (a click): nothing to complete.
        if mention_at(&current, caret).map(|(at, _)| at) != Some(offer.at) {
            self.offer.set(None);
            return;
        }
        let (new_text, new_caret) = insert_mention(&current, offer.at, caret, name);
        el.set_value(&new_text);
        let utf16: usize = new_text.chars().take(new_caret).map(char::len_utf16).sum();
        let _ = el.set_selection_range(utf16 as u32, utf16 as u32);
        text.set(new_text);
        self.offer.set(None);
        let _ = el.focus();
    }

    /// The id of the chosen option, for `aria-activedescendant`.
    pub fn active_id(&self) -> Option<String> {
        self.offer
            .get()
            .map(|_| format!("mention-{}", self.selected.get()))
    }
}

impl Default for MentionBox {
    fn default() -> Self {
        MentionBox::new()
    }
}

/// The caret as a char index (the DOM counts UTF-16 units).
fn caret_chars(text: &str, el: &web_sys::HtmlTextAreaElement) -> usize {
    let units = el.selection_start().ok().flatten().unwrap_or(0) as usize;
    let mut seen = 0;
    text.chars()
        .take_while(|c| {
            seen += c.len_utf16();
            seen <= units
        })
        .count()
}

/// The offered names, under the composer.
#[component]
pub fn MentionList(
    /// The composer's completion state.
    mentions: MentionBox,
    /// The composer's text.
    text: RwSignal<String>,
    /// The composer's textarea.
    input: NodeRef<Textarea>,
) -> impl IntoView {
    let names = move || mentions.offer.get().map(|o| o.names).unwrap_or_default();
    // The textarea keeps the focus: the choice is also said here.
    let chosen = move || {
        let names = names();
        let i = mentions.selected.get();
        names
            .get(i)
            .map(|n| format!("@{n} ({}/{})", i + 1, names.len()))
    };
    view! {
        <Show when=move || mentions.offer.get().is_some()>
            <span class="sr-only" aria-live="polite">{chosen}</span>
            <ul id="mention-list" class="mention-list" role="listbox"
                aria-label=tr(Key::MentionSuggestions)>
                {move || names().into_iter().enumerate().map(|(i, name)| view! {
                    <li id=format!("mention-{i}") role="option"
                        aria-selected=move || (mentions.selected.get() == i).to_string()
                        // Before the textarea loses focus to the click.
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            mentions.take(i, text, input);
                        }>
                        "@" {name}
                    </li>
                }).collect_view()}
            </ul>
        </Show>
    }
}
