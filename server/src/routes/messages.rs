//! `POST /api/messages`, the changes to a message (`POST
//! /api/messages/{id}/edit`, `/delete`, `/reactions`) and `GET
//! /api/rooms/{room}/messages`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::db::{self, Changed, Message, NewMessage, Refusal};
use crate::error::ApiError;
use crate::extract::{JsonObject, QueryMap};
use crate::limits::{DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};
use crate::routes::faults::{fault_gate, FaultRoute, Faults};
use crate::routes::state::AppState;
use crate::validate::{
    check_client_id, check_emoji, check_room, check_text, check_user, parse_int_param,
};
use rusqlite::Connection;

/// The message routes. Posting goes through the fault gate of
/// [`FaultRoute::Messages`], so it needs the app's [`Faults`].
pub fn router(faults: &Arc<Faults>) -> Router<Arc<AppState>> {
    let create_message = post(create).route_layer(middleware::from_fn_with_state(
        (Arc::clone(faults), FaultRoute::Messages),
        fault_gate,
    ));
    Router::new()
        .route("/api/messages", create_message)
        .route("/api/messages/{id}/edit", post(edit))
        .route("/api/messages/{id}/delete", post(delete))
        .route("/api/messages/{id}/reactions", post(reactions))
        .route("/api/rooms/{room}/messages", get(history))
        .route("/api/rooms/{room}/search", get(search))
}

/// `POST /api/messages`: stores a message and broadcasts it.
///
/// 201 with the stored message; 200 with the previously stored message when
/// its `client_id` is already known (nothing is stored or broadcast again).
async fn create(
    State(state): State<Arc<AppState>>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let room = body.required_name("room", check_room)?;
    let user = body.required_name("user", check_user)?;
    let text = body.required_str("text")?;
    check_text("text", text)?;
    let client_id = body.optional_name("client_id", check_client_id)?;
    let reply_to = body.optional_int("reply_to")?;
    let new = NewMessage {
        room,
        user,
        text: text.to_owned(),
        client_id,
        reply_to,
    };
    let hub = Arc::clone(&state.hub);
    let (message, created) = state
        .db
        // Insert and broadcast under the writer lock: broadcast order is id
        // order. The original is checked under the same lock, so it cannot
        // be deleted in between.
        .write(move |conn| {
            if let Some(original) = new.reply_to {
                // A repeated reply is answered with what was stored,
                // whatever became of the original since (insert_message
                // answers other repeats itself).
                if let Some(cid) = &new.client_id {
                    if let Some(stored) = db::by_client_id(conn, cid)? {
                        return Ok(Ok((stored, false)));
                    }
                }
                if let Err(refusal) = db::check_reply(conn, &new.room, original)? {
                    return Ok(Err(refusal));
                }
            }
            db::insert_message(conn, new, |stored| hub.publish_message(stored)).map(Ok)
        })
        .await?
        .map_err(|refusal| refused(refusal, "reply_to"))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)).into_response())
}

/// The message id in a change route's path.
fn message_id(
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<i64, ApiError> {
    path.ok()
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .ok_or_else(|| ApiError::bad_request("The message id in the path must be an integer."))
}

/// Words a refused change; `field` names the request field at fault where
/// the refusal is about one (a reply's original).
fn refused(refusal: Refusal, field: &str) -> ApiError {
    match refusal {
        Refusal::NotFound if field == "reply_to" => {
            ApiError::unprocessable(format!("The field `{field}` names no message."))
        }
        Refusal::NotFound => ApiError::not_found("There is no message with this id."),
        Refusal::NotAuthor => ApiError::new(
            StatusCode::FORBIDDEN,
            "Only the message's author (the field `user`) may change it.",
        ),
        Refusal::Deleted if field == "reply_to" => {
            ApiError::unprocessable(format!("The field `{field}` names a deleted message."))
        }
        Refusal::Deleted => ApiError::new(StatusCode::CONFLICT, "The message was deleted."),
        Refusal::OtherRoom => ApiError::unprocessable(format!(
            "The field `{field}` names a message of another room."
        )),
        Refusal::TooManyEmoji => ApiError::unprocessable(format!(
            "The message already carries {} different emoji.",
            db::changes::MAX_EMOJI_PER_MESSAGE
        )),
    }
}

/// Runs a change under the writer lock, broadcasting what it changed,
/// and answers the message as it is now (or the refusal).
async fn write_change<F>(state: &AppState, change: F) -> Result<Response, ApiError>
where
    F: FnOnce(&mut Connection, &dyn Fn(i64, &Message)) -> db::changes::Outcome + Send + 'static,
{
    let hub = Arc::clone(&state.hub);
    let outcome = state
        .db
        .write(move |conn| change(conn, &|id, m| hub.publish_update(id, m)))
        .await?;
    let changed: Changed = outcome.map_err(|refusal| refused(refusal, ""))?;
    Ok(Json(changed.message).into_response())
}

/// `POST /api/messages/{id}/edit` with `{"user", "text"}`: the author
/// replaces the text. 200 with the message as it is now.
async fn edit(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let id = message_id(path)?;
    let user = body.required_name("user", check_user)?;
    let text = body.required_str("text")?.to_owned();
    check_text("text", &text)?;
    write_change(&state, move |conn, publish| {
        db::edit_message(conn, id, &user, &text, publish)
    })
    .await
}

/// `POST /api/messages/{id}/delete` with `{"user"}`: the author deletes
/// the message (a tombstone). 200 with the tombstone.
async fn delete(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let id = message_id(path)?;
    let user = body.required_name("user", check_user)?;
    write_change(&state, move |conn, publish| {
        db::delete_message(conn, id, &user, publish)
    })
    .await
}

/// `POST /api/messages/{id}/reactions` with `{"user", "emoji", "on"}`: adds
/// (`on: true`) or removes the user's emoji. 200 with the message now.
async fn reactions(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let id = message_id(path)?;
    let user = body.required_name("user", check_user)?;
    let emoji = body.required_name("emoji", check_emoji)?;
    let on = body.required_bool("on")?;
    write_change(&state, move |conn, publish| {
        db::react(conn, id, &user, &emoji, on, publish)
    })
    .await
}

#[derive(Serialize)]
struct HistoryPage {
    messages: Vec<Message>,
    has_more: bool,
}

/// Results a search returns by default and at most.
const SEARCH_LIMIT: u32 = 20;
const MAX_SEARCH_LIMIT: u32 = 50;
/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 100;

#[derive(Serialize)]
struct SearchResults {
    messages: Vec<Message>,
}

/// `GET /api/rooms/{room}/search?q=TEXT&limit=N`: the newest messages of
/// the room containing `q`, newest first.
async fn search(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    QueryMap(query): QueryMap,
) -> Result<Response, ApiError> {
    let room = path_room(path)?;
    let q = query
        .get("q")
        .map(|q| q.trim())
        .unwrap_or_default()
        .to_owned();
    let chars = q.chars().count();
    if chars == 0 || chars > MAX_QUERY_CHARS {
        return Err(ApiError::unprocessable(format!(
            "The query parameter `q` must be 1 to {MAX_QUERY_CHARS} characters (got {chars})."
        )));
    }
    let limit = limit_param(query.get("limit"), SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
    let messages = state
        .db
        .read(move |conn| db::search_room(conn, &room, &q, limit))
        .await?;
    Ok(Json(SearchResults { messages }).into_response())
}

/// The `limit` query parameter: `default` when absent, else 1 to `max`.
fn limit_param(value: Option<&String>, default: u32, max: u32) -> Result<u32, ApiError> {
    match parse_int_param("limit", value)? {
        None => Ok(default),
        Some(limit) => u32::try_from(limit)
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "The query parameter `limit` must be between 1 and {max} (got {limit})."
                ))
            }),
    }
}

/// The room name in the path: unreadable → 400, invalid → 422.
fn path_room(
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, ApiError> {
    let Path(room) =
        path.map_err(|_| ApiError::bad_request("The room name in the path could not be read."))?;
    check_room(&room).map_err(|reason| {
        ApiError::unprocessable(format!("The room name in the path {reason}."))
    })?;
    Ok(room)
}

/// `GET /api/rooms/{room}/messages?before=ID&limit=N`: one page of history.
///
/// An absent or empty `before` (`?before=&limit=N`, as a client filling a URL
/// template sends for the first page) means the newest page.
async fn history(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    QueryMap(query): QueryMap,
) -> Result<Response, ApiError> {
    let room = path_room(path)?;
    let before = parse_int_param("before", query.get("before"))?;
    let limit = limit_param(query.get("limit"), DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT)?;
    let (messages, has_more) = state
        .db
        .read(move |conn| db::room_history(conn, &room, before, limit))
        .await?;
    Ok(Json(HistoryPage { messages, has_more }).into_response())
}
