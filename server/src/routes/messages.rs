//! `POST /api/messages` and `GET /api/rooms/{room}/messages`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::db::{self, Message, NewMessage};
use crate::error::ApiError;
use crate::extract::{JsonObject, QueryMap};
use crate::limits::{DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};
use crate::routes::faults::{fault_gate, FaultRoute, Faults};
use crate::routes::state::AppState;
use crate::validate::{check_client_id, check_room, check_text, check_user, parse_int_param};

/// The message routes. Posting goes through the fault gate of
/// [`FaultRoute::Messages`], so it needs the app's [`Faults`].
pub fn router(faults: &Arc<Faults>) -> Router<Arc<AppState>> {
    let create_message = post(create).route_layer(middleware::from_fn_with_state(
        (Arc::clone(faults), FaultRoute::Messages),
        fault_gate,
    ));
    Router::new()
        .route("/api/messages", create_message)
        .route("/api/rooms/{room}/messages", get(history))
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
    let new = NewMessage {
        room,
        user,
        text: text.to_owned(),
        client_id,
    };
    let hub = Arc::clone(&state.hub);
    let (message, created) = state
        .db
        // Insert and broadcast under the writer lock: broadcast order is id
        // order.
        .write(move |conn| db::insert_message(conn, new, |stored| hub.publish_message(stored)))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)).into_response())
}

#[derive(Serialize)]
struct HistoryPage {
    messages: Vec<Message>,
    has_more: bool,
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
    let Path(room) =
        path.map_err(|_| ApiError::bad_request("The room name in the path could not be read."))?;
    check_room(&room).map_err(|reason| {
        ApiError::unprocessable(format!("The room name in the path {reason}."))
    })?;
    let before = parse_int_param("before", query.get("before"))?;
    let limit = match parse_int_param("limit", query.get("limit"))? {
        None => DEFAULT_HISTORY_LIMIT,
        Some(limit) => u32::try_from(limit)
            .ok()
            .filter(|l| (1..=MAX_HISTORY_LIMIT).contains(l))
            .ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "The query parameter `limit` must be between 1 and {MAX_HISTORY_LIMIT} (got {limit})."
                ))
            })?,
    };
    let (messages, has_more) = state
        .db
        .read(move |conn| db::room_history(conn, &room, before, limit))
        .await?;
    Ok(Json(HistoryPage { messages, has_more }).into_response())
}
