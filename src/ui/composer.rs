//! The composer: Enter sends, Shift+Enter adds a line, Escape cancels a
//! reply or an edit (else jumps to the newest message), Up in an empty
//! composer edits one's last message. Sending works offline (the outbox
//! queues it); an edit is sent at once.

use super::mention_box::{MentionBox, MentionList};
use super::{tr, use_lang};
use crate::chat::{Chat, Compose};
use crate::i18n::{length, t, typing, Key};
use crate::transport::browser::now_ms;
use leptos::html::Textarea;
use leptos::prelude::*;
use sse_chat_names::{check_text_within, TextError};
use std::time::Duration;

/// The counter appears past this share of the length limit.
const COUNTER_FROM: f64 = 0.8;

/// Message input and send button, with the typing line above.
#[component]
pub fn Composer() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let text = RwSignal::new(String::new());
    let input = NodeRef::<Textarea>::new();
    let max = chat.config().max_length;

    follow_compose_mode(chat, text, input);

    let count = Signal::derive(move || text.with(|t| t.chars().count()));
    // The reference backend's own rule (shared crate), with this backend's
    // length limit: refused here, not after a round trip.
    let problem = Signal::derive(move || text.with(|t| check_text_within(t, max).err()));
    let invalid = move || !matches!(problem.get(), None | Some(TextError::Empty));
    let can_send = move || problem.get().is_none();
    let send = move || {
        if !can_send() {
            return;
        }
        chat.send(text.get_untracked());
        text.set(String::new());
        if let Some(el) = input.get_untracked() {
            el.set_value("");
            let _ = el.focus();
        }
    };
    let mentions = MentionBox::new();
    let on_keydown = keydown(chat, text, input, mentions, send);

    let editing = move || chat.compose().with(|c| matches!(c, Compose::Edit { .. }));
    view! {
        <TypingLine />
        <ComposeMode />
        <MentionList mentions text input />
        <form class="composer" on:submit=move |ev| {
            ev.prevent_default();
            send();
        }>
            <label for="composer-input" class="sr-only">{tr(Key::MessageLabel)}</label>
            <textarea
                id="composer-input"
                node_ref=input
                rows="2"
                placeholder=tr(Key::MessagePlaceholder)
                aria-describedby="composer-counter"
                aria-invalid=move || invalid().to_string()
                aria-autocomplete="list"
                aria-controls=move || mentions.active_id().map(|_| "mention-list")
                aria-activedescendant=move || mentions.active_id()
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    mentions.on_input(chat, input);
                    chat.typing();
                }
                on:keydown=on_keydown
            ></textarea>
            <Counter count max problem />
            <button type="submit" class="primary" disabled=move || !can_send()>
                {move || if editing() { tr(Key::Save)() } else { tr(Key::Send)() }}
            </button>
        </form>
    }
}

/// Enter sends (not inside an IME composition, nor while the mention list
/// takes it), Escape ends a reply or an edit (else jumps to the newest
/// message), Up in an empty composer edits the last own message.
fn keydown(
    chat: Chat,
    text: RwSignal<String>,
    input: NodeRef<Textarea>,
    mentions: MentionBox,
    send: impl Fn() + Copy + 'static,
) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    move |ev: leptos::ev::KeyboardEvent| {
        // Enter inside an IME composition confirms the candidate, not the message.
        if ev.is_composing() {
            return;
        }
        if mentions.on_key(&ev.key(), text, input) {
            ev.prevent_default();
            return;
        }
        let mode = chat.compose().get_untracked();
        match ev.key().as_str() {
            "Enter" if !ev.shift_key() => {
                ev.prevent_default();
                send();
            }
            "Escape" if mode != Compose::New => chat.cancel_compose(),
            "Escape" => chat.jump_to_newest(),
            "ArrowUp" if text.with_untracked(String::is_empty) && chat.edit_last_own() => {
                ev.prevent_default();
            }
            _ => {}
        }
    }
}

/// Starting an edit puts the message's text in the composer (and ending
/// one clears it); a reply keeps what is being written. Either way the
/// composer gets the focus.
fn follow_compose_mode(chat: Chat, text: RwSignal<String>, input: NodeRef<Textarea>) {
    // Joining lands keyboard users in the composer. In the next frame:
    // focusing lays the page out, which must not hold up the start (the
    // history request, the first rows).
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    Effect::new(move |prev: Option<bool>| {
        let editing = chat.compose().with(|c| match c {
            Compose::Edit { text: original, .. } => {
                text.set(original.clone());
                true
            }
            _ => false,
        });
        if prev == Some(true) && !editing {
            text.set(String::new());
        }
        if prev.is_some() {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
        editing
    });
}

/// "Replying to alice: …" or "Editing your message", with Cancel.
#[component]
fn ComposeMode() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let line = move || {
        let lang = lang.get();
        chat.compose().with(|c| match c {
            Compose::New => None,
            Compose::Reply(q) => {
                let who = q.user.as_deref().unwrap_or_else(|| t(lang, Key::Anonymous));
                Some(format!("{} {who}: {}", t(lang, Key::ReplyingTo), q.text))
            }
            Compose::Edit { .. } => Some(t(lang, Key::Editing).to_string()),
        })
    };
    view! {
        <Show when=move || line().is_some()>
            <div class="compose-mode" role="status">
                <span class="compose-what">{line}</span>
                <button type="button" class="link-button" on:click=move |_| chat.cancel_compose()>
                    {tr(Key::Cancel)}
                </button>
            </div>
        </Show>
    }
}

/// "n / max characters", shown from [`COUNTER_FROM`] of the limit.
#[component]
fn Counter(
    /// Characters typed.
    count: Signal<usize>,
    /// The limit.
    max: usize,
    /// Why the text cannot be sent, if it cannot.
    problem: Signal<Option<TextError>>,
) -> impl IntoView {
    let lang = use_lang();
    let label = move || {
        let lang = lang.get();
        match problem.get() {
            Some(TextError::NoVisibleCharacter) => return Some(t(lang, Key::TextInvisible).into()),
            Some(TextError::BidiControl) => return Some(t(lang, Key::TextBidi).into()),
            _ => {}
        }
        let n = count.get();
        (n as f64 >= max as f64 * COUNTER_FROM).then(|| {
            let s = length(lang, n, max);
            if n > max {
                format!("{} — {s}", t(lang, Key::TooLong))
            } else {
                s
            }
        })
    };
    let over = move || !matches!(problem.get(), None | Some(TextError::Empty));
    view! {
        <span id="composer-counter" class="counter" class:over=over aria-live="polite">
            {label}
        </span>
    }
}

/// Who is typing in the active room.
#[component]
fn TypingLine() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    // Re-render when notices expire.
    let clock = RwSignal::new(now_ms());
    let ticker = set_interval_with_handle(move || clock.set(now_ms()), Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear()
        }
    });
    let line = move || {
        let now = clock.get();
        let users = chat
            .state()
            .with(|s| s.active_room().map(|r| r.typing(now)).unwrap_or_default());
        typing(lang.get(), &users)
    };
    view! { <p class="typing" aria-live="polite">{line}</p> }
}
