//! One message row: author and time at a group's start, the quote of the
//! message it answers, the text as text (links only for http, https and
//! mailto) or "Message deleted", "Show more" for long messages, "edited",
//! its reactions and actions, and the send state with Retry and Discard
//! for a refused one.

use super::active::ActiveRows;
use super::body::MessageBody;
use super::extras::{offers_actions, Actions, QuoteLine, Reactions};
use super::rows::Row;
use crate::chat::Chat;
use crate::errors::RequestError;
use crate::i18n::{send_failed, t, Key, Lang};
use crate::state::{Message, Status};
use crate::ui::format;
use crate::ui::tr;
use leptos::prelude::*;

/// A message row, with a day separator above it when a day starts.
#[component]
pub fn MessageRow(
    /// The message and what its neighbours decide.
    row: Row,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let Row {
        msg,
        group_start,
        new_day,
        first_unread,
    } = row;
    let ts = msg.ts;
    let failed = match &msg.status {
        Status::Failed(r) => Some((**r).clone()),
        _ => None,
    };
    let cid = msg.client_id.as_deref().unwrap_or_default().to_string();
    let (pending, is_failed) = (msg.status == Status::Pending, failed.is_some());
    let deleted = msg.deleted();
    let mentions_me = msg.mentions_me;
    let quote = msg.extra.as_ref().and_then(|e| e.reply.clone());
    let edited = msg
        .extra
        .as_ref()
        .filter(|e| !e.deleted)
        .and_then(|e| e.edited_at);
    // Only rows with something to show below the text get the line: a
    // plain row keeps its height.
    let reacted = msg.extra.as_ref().is_some_and(|e| !e.reactions.is_empty());
    let has_foot = edited.is_some() || reacted;
    // A row offering actions is a tab stop, so the keyboard gets there.
    let actions = action_bar(&msg, lang);
    let tab_stop = actions.is_some().then_some("0");
    let body = if deleted {
        view! { <p class="msg-text tombstone">{tr(Key::Deleted)}</p> }.into_any()
    } else {
        view! { <MessageBody text=msg.text.to_string() lang /> }.into_any()
    };
    // Each absent part costs the row a placeholder node: the rare ones
    // share one.
    let marks = new_day || first_unread;
    let below = has_foot || pending || is_failed;
    view! {
        {marks.then(|| view! {
            {new_day.then(|| view! {
                <li class="day-separator">
                    <span>{move || format::day(ts, lang.get())}</span>
                </li>
            })}
            {first_unread.then(|| view! {
                <li class="unread-marker">{tr(Key::NewLine)}</li>
            })}
        })}
        <li class="msg" class:mine=msg.mine data-uid=msg.uid.to_string() class:continued=!group_start
            class:pending=pending class:failed=is_failed class:deleted=deleted class:mentions-me=mentions_me
            data-id=msg.id.as_deref().unwrap_or_default().to_string() tabindex=tab_stop>
            // First (it floats): Tab from the row, or Shift+Tab from its content, reaches it.
            {actions}
            <MessageHead msg=msg.clone() group_start lang />
            {quote.map(|quote| view! { <QuoteLine quote lang /> })}
            {body}
            {below.then(|| view! {
                {has_foot.then(|| view! {
                    <div class="msg-foot">
                        {edited.map(|at| view! {
                            <span class="edited" title=move || format::full(at, lang.get())>
                                "(" {tr(Key::Edited)} ")"
                            </span>
                        })}
                        <Reactions msg=msg.clone() lang />
                    </div>
                })}
                {pending
                    .then(|| view! { <span class="msg-state">{tr(Key::Pending)}</span> })}
                {failed.map(|reason| view! { <SendFailed reason client_id=cid lang /> })}
            })}
        </li>
    }
}

/// The row's action bar, built only while the row is hovered or focused
/// ([`ActiveRows`]); `None` when the message offers no action.
fn action_bar(msg: &Message, lang: RwSignal<Lang>) -> Option<impl IntoView> {
    let active = use_context::<ActiveRows>()?;
    if !offers_actions(&expect_context::<Chat>(), msg) {
        return None;
    }
    let (shows, msg) = (active.shows(msg.uid), msg.clone());
    Some(move || {
        shows
            .get()
            .then(|| view! { <Actions msg=msg.clone() lang /> })
    })
}

/// Author and time; visible at a group's start, for screen readers always.
#[component]
fn MessageHead(msg: Message, group_start: bool, lang: RwSignal<Lang>) -> impl IntoView {
    let ts = msg.ts;
    let (author, mine) = (msg.user, msg.mine);
    let author_label = move || match &author {
        Some(u) if mine => format!("{u} ({})", t(lang.get(), Key::You)),
        Some(u) => u.to_string(),
        None => t(lang.get(), Key::Anonymous).to_string(),
    };
    view! {
        <div class="msg-head" class:sr-only=!group_start>
            <span class="author">{author_label}</span>
            <time
                datetime=format::iso(ts)
                // Only the times in view are tab stops; a focused one
                // shows its full date (CSS), as hovering does: the list
                // fills it in then (format::show_full_date).
                tabindex=group_start.then_some("0")
            >
                {move || format::time(ts, lang.get())}
            </time>
        </div>

    }
}

/// The backend's reason for refusing a message, with Retry and Discard.
#[component]
fn SendFailed(reason: RequestError, client_id: String, lang: RwSignal<Lang>) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let reason = reason.to_string();
    let cid = StoredValue::new(client_id);
    view! {
        <div class="msg-failed" role="alert">
            <span>{move || send_failed(lang.get(), &reason)}</span>
            <button on:click=move |_| chat.retry(&cid.get_value())>{tr(Key::Retry)}</button>
            <button on:click=move |_| chat.discard(&cid.get_value())>{tr(Key::Discard)}</button>
        </div>
    }
}
