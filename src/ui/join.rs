//! The join screen: nickname and first room.

use super::lang_select::LangSelect;
use super::tr;
use crate::chat::Session;
use crate::config::{is_room_name, is_user_name, Config};
use crate::i18n::Key;
use leptos::prelude::*;
use std::sync::Arc;

/// Asks for a nickname and a room, then hands a [`Session`] to `on_join`.
#[component]
pub fn JoinScreen(
    /// Offers `cfg.rooms` as suggestions.
    cfg: Arc<Config>,
    /// Called with the validated session.
    #[prop(into)]
    on_join: Callback<Session>,
) -> impl IntoView {
    let nickname = RwSignal::new(Session::last_nickname().unwrap_or_default());
    let room = RwSignal::new(
        cfg.rooms
            .first()
            .cloned()
            .unwrap_or_else(|| "general".into()),
    );
    let error = RwSignal::new(None::<Key>);
    let suggestions = cfg.rooms.clone();
    let lang = super::use_lang();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let nick = nickname.get_untracked().trim().to_string();
        let r = room.get_untracked().trim().to_string();
        if !is_user_name(&nick) {
            error.set(Some(Key::InvalidNickname));
            return;
        }
        if !is_room_name(&r) {
            error.set(Some(Key::InvalidRoom));
            return;
        }
        Session::remember_nickname(&nick);
        on_join.run(Session {
            nickname: nick,
            rooms: vec![r.clone()],
            active: r,
        });
    };

    view! {
        <main class="join-screen">
            <form class="join-card" on:submit=submit novalidate>
                <h1>{tr(Key::JoinHeading)}</h1>
                <label for="join-nickname">{tr(Key::Nickname)}</label>
                <input
                    id="join-nickname"
                    name="nickname"
                    autocomplete="nickname"
                    maxlength="32"
                    required
                    autofocus
                    aria-describedby="join-nickname-hint"
                    prop:value=move || nickname.get()
                    on:input=move |ev| nickname.set(event_target_value(&ev))
                />
                <p id="join-nickname-hint" class="hint">{tr(Key::NicknameHint)}</p>
                <label for="join-room">{tr(Key::Room)}</label>
                <input
                    id="join-room"
                    name="room"
                    list="join-room-suggestions"
                    maxlength="64"
                    required
                    aria-describedby="join-room-hint"
                    prop:value=move || room.get()
                    on:input=move |ev| room.set(event_target_value(&ev))
                />
                <datalist id="join-room-suggestions">
                    {suggestions.into_iter().map(|r| view! { <option value=r></option> }).collect_view()}
                </datalist>
                <p id="join-room-hint" class="hint">{tr(Key::RoomHint)}</p>
                <p class="form-error" role="alert">
                    {move || error.get().map(|k| crate::i18n::t(lang.get(), k))}
                </p>
                <button type="submit" class="primary">{tr(Key::JoinButton)}</button>
            </form>
            <LangSelect />
        </main>
    }
}
