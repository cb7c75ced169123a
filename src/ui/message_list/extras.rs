//! What a row shows besides its text: the quote of the message it answers,
//! its reactions with the picker, and the actions on it (reply, react,
//! edit, delete). Each appears only when the backend takes it
//! ([`crate::chat::Abilities`]).

use super::emoji;
use crate::chat::Chat;
use crate::i18n::{reacted_by, t, Key, Lang};
use crate::protocol::Quote;
use crate::state::Message;
use crate::ui::tr;
use leptos::html::Input;
use leptos::prelude::*;

/// The original a reply answers; activating it brings it into view.
#[component]
pub fn QuoteLine(
    /// The quoted original.
    quote: Quote,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let id = StoredValue::new(quote.id.to_string());
    let (user, text, deleted) = (quote.user, quote.text, quote.deleted);
    let who = move || match &user {
        Some(u) => u.to_string(),
        None => t(lang.get(), Key::Original).to_string(),
    };
    let what = move || {
        if deleted {
            t(lang.get(), Key::OriginalDeleted).to_string()
        } else {
            text.to_string()
        }
    };
    view! {
        <button type="button" class="quote" title=tr(Key::Original)
            on:click=move |_| chat.jump_to(&id.get_value())>
            <span class="quote-user">{who}</span>
            <span class="quote-text" class:deleted=deleted>{what}</span>
        </button>
    }
}

/// The reactions on `msg`: one toggle per emoji, with its count and who
/// used it.
#[component]
pub fn Reactions(
    /// The message.
    msg: Message,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let react = chat.abilities().react;
    let me = chat.state().with_untracked(|s| s.me().to_string());
    let msg = StoredValue::new(msg);
    let list = msg.with_value(|m| {
        m.extra
            .as_ref()
            .map(|e| e.reactions.clone())
            .unwrap_or_default()
    });
    list.into_iter()
        .map(|r| {
            let mine = r.by(&me);
            let emoji = StoredValue::new(r.emoji.to_string());
            let label = reacted_by(lang.get_untracked(), &r.emoji, &r.users);
            let count = r.users.len();
            view! {
                <button type="button" class="reaction" class:mine=mine aria-pressed=mine.to_string()
                    title=label.clone() aria-label=label disabled=!react
                    on:click=move |_| msg.with_value(|m| chat.toggle_reaction(m, &emoji.get_value()))>
                    <span aria-hidden="true">{r.emoji.to_string()}</span>
                    <span class="reaction-count" aria-hidden="true">{count}</span>
                </button>
            }
        })
        .collect_view()
}

/// Whether `msg` offers any action (its row is then a tab stop, and shows
/// [`Actions`] while hovered or focused).
pub fn offers_actions(chat: &Chat, msg: &Message) -> bool {
    let can = chat.abilities();
    ((can.reply || can.react) && answerable(msg))
        || ((can.edit || can.delete) && chat.is_changeable(msg))
}

/// Whether `msg` can be replied and reacted to: the backend named it and
/// it is not deleted.
fn answerable(msg: &Message) -> bool {
    msg.id.is_some() && !msg.deleted()
}

/// Reply, React, Edit, Delete: shown on hover and focus, all reachable by
/// keyboard. Built from a list, so one button type serves all four (each
/// distinct view type costs the wasm its own rendering code).
#[component]
pub fn Actions(
    /// The message acted on.
    msg: Message,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let can = chat.abilities();
    let live = answerable(&msg);
    let own = chat.is_changeable(&msg);
    let msg = StoredValue::new(msg);
    let picking = RwSignal::new(false);
    type Act = Box<dyn Fn()>;
    let mut buttons: Vec<(Key, Option<RwSignal<bool>>, Act)> = Vec::new();
    if can.reply && live {
        buttons.push((
            Key::Reply,
            None,
            Box::new(move || msg.with_value(|m| chat.reply_to(m))),
        ));
    }
    if can.react && live {
        buttons.push((
            Key::React,
            Some(picking),
            Box::new(move || picking.update(|p| *p = !*p)),
        ));
    }
    if can.edit && own {
        buttons.push((
            Key::Edit,
            None,
            Box::new(move || msg.with_value(|m| chat.start_edit(m))),
        ));
    }
    if can.delete && own {
        let delete = move || {
            let sure = window().confirm_with_message(t(lang.get_untracked(), Key::DeleteConfirm));
            if sure == Ok(true) {
                msg.with_value(|m| chat.delete(m));
            }
        };
        buttons.push((Key::Delete, None, Box::new(delete)));
    }
    // The React button gets the focus back when the picker closes.
    let react_button = NodeRef::<leptos::html::Button>::new();
    let buttons = buttons
        .into_iter()
        .map(|(key, popup, act)| {
            let node = if popup.is_some() {
                react_button
            } else {
                NodeRef::new()
            };
            view! {
                <button type="button" node_ref=node class:danger=key == Key::Delete
                    aria-haspopup=popup.map(|_| "dialog")
                    aria-expanded=move || popup.map(|p| p.get().to_string())
                    on:click=move |_| act()>
                    {move || t(lang.get(), key)}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="msg-actions" role="group" aria-label=tr(Key::MessageActions)>
            {buttons}
        </div>
        <Show when=move || picking.get()>
            <Picker msg=msg.get_value() lang close=move || {
                picking.set(false);
                if let Some(b) = react_button.get_untracked() {
                    let _ = b.focus();
                }
            } />
        </Show>
    }
}

/// The emoji picker: the common ones, and a search over the rest.
#[component]
fn Picker(
    /// The message reacted to.
    msg: Message,
    /// The UI language.
    lang: RwSignal<Lang>,
    /// Closes the picker.
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let query = RwSignal::new(String::new());
    let search = NodeRef::<Input>::new();
    let msg = StoredValue::new(msg);
    Effect::new(move |_| {
        if let Some(el) = search.get() {
            let _ = el.focus();
        }
    });
    let shown = move || {
        let q = query.get();
        if q.trim().is_empty() {
            emoji::QUICK.to_vec()
        } else {
            emoji::search(&q)
        }
    };
    let pick = move |e: &'static str| {
        msg.with_value(|m| chat.toggle_reaction(m, e));
        close();
    };
    view! {
        <div class="picker" role="dialog" aria-label=tr(Key::React)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" {
                ev.stop_propagation();
                close();
            }>
            <input type="search" node_ref=search aria-label=tr(Key::EmojiSearch)
                placeholder=tr(Key::EmojiSearch)
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <div class="picker-grid">
                {move || {
                    let list = shown();
                    if list.is_empty() {
                        return view! { <p class="picker-none">{t(lang.get(), Key::NoEmoji)}</p> }.into_any();
                    }
                    list.into_iter()
                        .map(|e| view! {
                            <button type="button" class="picker-emoji" on:click=move |_| pick(e)>{e}</button>
                        })
                        .collect_view()
                        .into_any()
                }}
            </div>
        </div>
    }
}
