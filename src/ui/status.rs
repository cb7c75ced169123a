//! The connection status: always visible, with "Retry now" while waiting.

use super::{tr, use_lang};
use crate::chat::Chat;
use crate::i18n::{failed, notice, reconnecting, reconnecting_spoken, t, Key};
use crate::transport::browser::now_ms;
use crate::transport::events::ConnState;
use leptos::prelude::*;
use std::time::Duration;

/// Connection state, countdown and notices.
#[component]
pub fn StatusBar() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    // A clock for the countdown, ticking only while reconnecting.
    let now = RwSignal::new(now_ms());
    let ticker = set_interval_with_handle(
        move || {
            if matches!(chat.conn().get_untracked(), ConnState::Reconnecting { .. }) {
                now.set(now_ms());
            }
        },
        Duration::from_millis(500),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear()
        }
    });

    let label = move || {
        let l = lang.get();
        match chat.conn().get() {
            ConnState::Connecting => t(l, Key::Connecting).to_string(),
            ConnState::Open => t(l, Key::Connected).to_string(),
            ConnState::Offline => t(l, Key::Offline).to_string(),
            ConnState::Failed(why) => failed(l, &why.to_string()),
            ConnState::Reconnecting { attempt, retry_at } => {
                let secs = ((retry_at - now.get()) / 1000.0).ceil().max(0.0) as u32;
                reconnecting(l, secs, attempt)
            }
        }
    };
    let spoken = move || {
        let l = lang.get();
        match chat.conn().get() {
            ConnState::Reconnecting { attempt, .. } => reconnecting_spoken(l, attempt),
            _ => label(),
        }
    };
    let class = move || match chat.conn().get() {
        ConnState::Open => "status ok",
        ConnState::Connecting => "status pending",
        ConnState::Reconnecting { .. } | ConnState::Offline => "status warn",
        ConnState::Failed(_) => "status error",
    };
    let waiting = move || {
        matches!(
            chat.conn().get(),
            ConnState::Reconnecting { .. } | ConnState::Failed(_)
        )
    };

    view! {
        <div class=class data-testid="connection-status">
            <span class="dot" aria-hidden="true"></span>
            // The visible text has a ticking countdown; screen readers get a
            // steady version, so the live region speaks once per change.
            <span class="status-text" aria-hidden="true">{label}</span>
            <span class="sr-only" role="status">{spoken}</span>
            <Show when=waiting>
                <button class="link-button" on:click=move |_| chat.retry_now()>{tr(Key::RetryNow)}</button>
            </Show>
        </div>
        <NoticeBar />
    }
}

/// The current notice (an unreadable event, storage full, a history
/// error), translated when rendered so a language switch re-translates it.
#[component]
fn NoticeBar() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    move || {
        chat.notice().get().map(|n| {
            view! {
                <div class="notice" role="alert">
                    <span>{move || notice(lang.get(), &n)}</span>
                    <button class="link-button" aria-label=tr(Key::Dismiss) on:click=move |_| chat.dismiss_notice()>
                        "×"
                    </button>
                </div>
            }
        })
    }
}
