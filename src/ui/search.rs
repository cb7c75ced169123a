//! Searching the active room: what is loaded, and the backend's search
//! when the configuration names one (its results first: they cover the
//! whole history). Choosing a result brings the message into view,
//! loading older history as needed.

use super::format;
use super::tr;
use crate::chat::Chat;
use crate::i18n::{search_count, t, Key, Lang};
use crate::protocol::WireMessage;
use crate::state::search::matches;
use crate::state::Message;
use crate::transport::history::fetch_search;
use leptos::html::{Button, Input};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Results shown at most.
const MAX_HITS: usize = 50;

/// One result.
#[derive(Clone, Debug, PartialEq)]
struct Hit {
    id: Option<String>,
    user: Option<String>,
    ts: Option<f64>,
    text: String,
}

impl From<&Message> for Hit {
    fn from(m: &Message) -> Self {
        Hit {
            id: m.id.as_deref().map(String::from),
            user: m.user.as_deref().map(String::from),
            ts: Some(m.ts),
            text: m.text.to_string(),
        }
    }
}

impl From<WireMessage> for Hit {
    fn from(m: WireMessage) -> Self {
        Hit {
            id: m.id,
            user: m.user,
            ts: m.ts,
            text: m.text,
        }
    }
}

/// The search toggle, field and results of the room header.
#[component]
pub fn Search(
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(None::<Vec<Hit>>);
    let field = NodeRef::<Input>::new();
    let toggle = NodeRef::<Button>::new();
    // Each search numbered: a late answer to an earlier one is dropped.
    let seq = StoredValue::new(0u32);
    Effect::new(move |_| {
        if let (true, Some(el)) = (open.get(), field.get()) {
            let _ = el.focus();
        }
    });
    // Shut, with any answer still on its way dropped.
    let reset = move || {
        open.set(false);
        hits.set(None);
        seq.update_value(|n| *n += 1);
    };
    let close = move || {
        reset();
        if let Some(b) = toggle.get_untracked() {
            let _ = b.focus();
        }
    };
    // Results belong to the room they were found in.
    Effect::new(move |prev: Option<String>| {
        let room = chat.state().with(|s| s.active().to_string());
        if prev.is_some_and(|p| p != room) && open.get_untracked() {
            reset();
        }
        room
    });
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        seq.update_value(|n| *n += 1);
        run_search(chat, query.get_untracked(), hits, seq);
    };
    // Mounted while open, so each new count is announced.
    let status = move || match hits.get() {
        None => String::new(),
        Some(h) if h.is_empty() => t(lang.get(), Key::NoResults).to_string(),
        Some(h) => search_count(lang.get(), h.len()),
    };
    view! {
        <button type="button" class="search-toggle" node_ref=toggle aria-expanded=move || open.get().to_string()
            on:click=move |_| if open.get_untracked() { close() } else { open.set(true) }>
            {tr(Key::Search)}
        </button>
        <Show when=move || open.get()>
            <form class="search" role="search" on:submit=run>
                <input type="search" node_ref=field aria-label=tr(Key::SearchPlaceholder)
                    placeholder=tr(Key::SearchPlaceholder)
                    on:input=move |ev| query.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { close() } />
                <button type="button" class="link-button" on:click=move |_| close()>
                    {tr(Key::CloseSearch)}
                </button>
                <p class="search-status" role="status">{status}</p>
            </form>
        </Show>
        <Show when=move || open.get() && hits.with(Option::is_some)>
            <Results hits=Signal::derive(move || hits.get().unwrap_or_default()) query lang />
        </Show>
    }
}

/// Searches what is loaded at once, then asks the backend if it can.
fn run_search(chat: Chat, q: String, hits: RwSignal<Option<Vec<Hit>>>, seq: StoredValue<u32>) {
    let q = q.trim().to_string();
    if q.is_empty() {
        return;
    }
    let (room, local) = chat.state().with_untracked(|s| {
        let found = s.search(s.active(), &q, MAX_HITS);
        (
            s.active().to_string(),
            found.iter().map(Hit::from).collect::<Vec<_>>(),
        )
    });
    hits.set(Some(local.clone()));
    let cfg = chat.config();
    let Some(template) = cfg.search_url.clone() else {
        return;
    };
    let mine = seq.get_value();
    spawn_local(async move {
        let answer = fetch_search(&cfg, &template, &room, &q, None).await;
        // Only the answer to the search still shown counts, failed or not.
        if seq.try_get_value() != Some(mine) {
            return;
        }
        let remote = match answer {
            Ok(remote) => remote,
            // What is loaded is still shown; the user learns the rest is not.
            Err(error) => return chat.search_failed(error),
        };
        let mut all: Vec<Hit> = remote.into_iter().map(Hit::from).collect();
        for hit in local {
            if hit.id.is_none() || !all.iter().any(|h| h.id == hit.id) {
                all.push(hit);
            }
        }
        all.truncate(MAX_HITS);
        hits.try_set(Some(all));
    });
}

/// The results, each a button that jumps to its message.
#[component]
fn Results(
    /// The results, best first.
    hits: Signal<Vec<Hit>>,
    /// What was searched for (highlighted).
    query: RwSignal<String>,
    /// The UI language.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let list = move || {
        let q = query.get_untracked();
        hits.get()
            .into_iter()
            .map(|hit| {
                let id = hit.id.clone();
                let who = hit
                    .user
                    .clone()
                    .unwrap_or_else(|| t(lang.get_untracked(), Key::Anonymous).into());
                let when = hit
                    .ts
                    .map(|ts| format::full(ts, lang.get_untracked()))
                    .unwrap_or_default();
                view! {
                    <li>
                        <button type="button" class="hit" disabled=id.is_none()
                            on:click=move |_| if let Some(id) = &id { chat.jump_to(id) }>
                            <span class="author">{who}</span>
                            <span class="hit-time">{when}</span>
                            <span class="hit-text">{highlighted(&hit.text, &q)}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="search-results" aria-label=tr(Key::SearchResults)>
            <ul>{list}</ul>
        </section>
    }
}

/// The text with each match in a `<mark>`.
fn highlighted(text: &str, q: &str) -> Vec<AnyView> {
    let mut out = Vec::new();
    let mut at = 0;
    for m in matches(text, q.trim()) {
        out.push(text[at..m.start].to_string().into_any());
        out.push(view! { <mark>{text[m.clone()].to_string()}</mark> }.into_any());
        at = m.end;
    }
    out.push(text[at..].to_string().into_any());
    out
}
