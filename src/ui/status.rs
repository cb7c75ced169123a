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
                // The tick only re-renders; the time is read now, so a state
                // entered between ticks never shows a stale countdown.
                now.track();
                reconnecting(l, countdown_secs(retry_at, now_ms()), attempt)
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

/// Whole seconds left until `retry_at` (epoch ms), rounded up, never
/// negative.
pub fn countdown_secs(retry_at: f64, now: f64) -> u32 {
    ((retry_at - now) / 1000.0).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::countdown_secs;

    #[test]
    fn countdowns_round_up_and_stop_at_zero() {
        assert_eq!(countdown_secs(10_000.0, 9_000.0), 1);
        assert_eq!(countdown_secs(10_000.0, 8_999.0), 2);
        assert_eq!(countdown_secs(10_000.0, 12_000.0), 0);
    }
}
