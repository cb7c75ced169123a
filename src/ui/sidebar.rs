//! Followed rooms with unread badges, joining and leaving, who is here.

use super::lang_select::LangSelect;
use super::{tr, use_lang};
use crate::chat::Chat;
use crate::config::is_room_name;
use crate::i18n::{mention_count, more_present, t, unread, Key};
use crate::transport::notify;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The rooms sidebar.
#[component]
pub fn Sidebar() -> impl IntoView {
    view! {
        <aside class="sidebar">
            <nav aria-labelledby="rooms-heading">
                <h2 id="rooms-heading">{tr(Key::Rooms)}</h2>
                <RoomList />
                <AddRoom />
            </nav>
            <PresenceList />
            <LangSelect />
            <NotificationToggle />
        </aside>
    }
}

/// The followed rooms.
#[component]
fn RoomList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    // Keyed by name only: a row (and the focus on its button) survives
    // changes of its unread count or of the active room.
    let rooms = move || chat.state().with(|s| s.room_names());
    view! {
        <ul class="room-list">
            <For each=rooms key=|name| name.clone() children=move |name| view! { <RoomItem name /> } />
        </ul>
    }
}

/// One followed room: open it, see its unread count, leave it.
#[component]
fn RoomItem(
    /// The room's name.
    name: String,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let name = StoredValue::new(name);
    // Memos: the row updates only when its own values change.
    let count = Memo::new(move |_| {
        let name = name.get_value();
        chat.state()
            .with(|s| s.room(&name).map_or(0, |r| r.unread()))
    });
    let active = Memo::new(move |_| chat.state().with(|s| s.active() == name.get_value()));
    let (mentions, muted) = (
        Memo::new(move |_| {
            chat.state()
                .with(|s| s.room(&name.get_value()).map_or(0, |r| r.mentions()))
        }),
        Memo::new(move |_| {
            chat.state()
                .with(|s| s.room(&name.get_value()).is_some_and(|r| r.muted()))
        }),
    );
    let leave_label = move || format!("{} #{}", t(lang.get(), Key::Leave), name.get_value());
    let badge_class = move || {
        if mentions.get() > 0 {
            "badge mention"
        } else {
            "badge"
        }
    };
    let mute_label = move || format!("{} #{}", t(lang.get(), Key::Mute), name.get_value());
    view! {
        <li class="room-item" class:active=move || active.get()>
            <button
                class="room-button"
                aria-current=move || active.get().then_some("page")
                on:click=move |_| chat.open_room(&name.get_value())
            >
                <span class="room-name">"#" {name.get_value()}</span>
                <Show when=move || { count.get() > 0 }>
                    <span class=badge_class aria-hidden="true">
                        {move || if mentions.get() > 0 { "@ " } else { "" }} {count}
                    </span>
                    <span class="sr-only">{move || unread(lang.get(), count.get())}</span>
                </Show>
                <Show when=move || { mentions.get() > 0 }>
                    <span class="sr-only">{move || mention_count(lang.get(), mentions.get())}</span>
                </Show>
                <Show when=move || muted.get()>
                    <span class="muted-mark">{tr(Key::Muted)}</span>
                </Show>
            </button>
            <button
                class="mute"
                aria-pressed=move || muted.get().to_string()
                aria-label=mute_label
                title=mute_label
                on:click=move |_| chat.toggle_mute(&name.get_value())
            >
                {move || if muted.get() { "🔕" } else { "🔔" }}
            </button>
            <button
                class="leave"
                aria-label=leave_label
                title=leave_label
                on:click=move |_| chat.leave_room(&name.get_value())
            >
                "×"
            </button>
        </li>
    }
}

/// Joining another room by name.
#[component]
fn AddRoom() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let new_room = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_room.get_untracked().trim().to_string();
        if !is_room_name(&name) {
            error.set(true);
            return;
        }
        error.set(false);
        new_room.set(String::new());
        chat.open_room(&name);
    };
    view! {
        <form class="add-room" on:submit=add>
            <label for="add-room-input">{tr(Key::AddRoomLabel)}</label>
            <div class="row">
                <input
                    id="add-room-input"
                    maxlength="64"
                    aria-invalid=move || error.get().to_string()
                    prop:value=move || new_room.get()
                    on:input=move |ev| new_room.set(event_target_value(&ev))
                />
                <button type="submit">{tr(Key::AddRoom)}</button>
            </div>
            <p class="form-error" role="alert">
                {move || error.get().then(|| t(lang.get(), Key::InvalidRoom))}
            </p>
        </form>
    }
}

/// Who is in the active room.
#[component]
fn PresenceList() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = use_lang();
    let present = move || {
        chat.state().with(|s| {
            s.active_room()
                .map(|r| r.present().to_vec())
                .unwrap_or_default()
        })
    };
    // A large room's backend names only some users and counts the rest.
    let unlisted = move || {
        chat.state().with(|s| {
            s.active_room()
                .map(|r| r.present_total() - r.present().len())
                .unwrap_or(0)
        })
    };
    view! {
        <section class="presence" aria-labelledby="presence-heading">
            <h2 id="presence-heading">{tr(Key::Present)}</h2>
            <ul>
                {move || present().into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
                {move || {
                    let n = unlisted();
                    (n > 0).then(|| view! { <li class="more">{more_present(lang.get(), n)}</li> })
                }}
            </ul>
        </section>
    }
}

/// Opt-in desktop notifications for messages that arrive while the tab is
/// hidden.
#[component]
fn NotificationToggle() -> impl IntoView {
    let on = RwSignal::new(notify::enabled());
    let blocked = RwSignal::new(false);
    let toggle = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        spawn_local(async move {
            let now_on = notify::set_enabled(want).await;
            on.set(now_on);
            blocked.set(want && !now_on && notify::blocked());
        });
    };
    view! {
        <label class="notify-toggle">
            <input type="checkbox" prop:checked=move || on.get() on:change=toggle />
            <span>{tr(Key::Notifications)}</span>
        </label>
        <Show when=move || blocked.get()>
            <p class="hint">{tr(Key::NotificationsBlocked)}</p>
        </Show>
    }
}
