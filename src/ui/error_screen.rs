//! Shown instead of the chat when the configuration is invalid.

use super::tr;
use crate::i18n::Key;
use leptos::prelude::*;

/// The configuration error screen.
#[component]
pub fn ErrorScreen(
    /// What is wrong, naming the key (from [`crate::config::ConfigError`]).
    error: String,
) -> impl IntoView {
    view! {
        <main class="error-screen" role="alert">
            <h1>{tr(Key::ConfigError)}</h1>
            <p class="error-detail">{error}</p>
            <p>{tr(Key::ConfigHelp)}</p>
        </main>
    }
}
