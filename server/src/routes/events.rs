//! `GET /api/events`: checks the request and opens an event stream.
//!
//! What a stream sends, and how it stays lossless and duplicate-free, is
//! described in [`crate::routes::event_stream`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::extract::QueryMap;
use crate::routes::event_stream::EventStream;
use crate::routes::faults::{fault_gate, FaultRoute, Faults};
use crate::routes::state::AppState;
use crate::validate::{check_user, parse_int_param, parse_rooms};

const DEFAULT_ROOM: &str = "general";

/// The events route: `GET` opens a stream (through the fault gate of
/// [`FaultRoute::Events`], so it needs the app's [`Faults`]); every other
/// method is a 405.
pub fn router(faults: &Arc<Faults>) -> Router<Arc<AppState>> {
    let events = get(stream)
        .route_layer(middleware::from_fn_with_state(
            (Arc::clone(faults), FaultRoute::Events),
            fault_gate,
        ))
        // Added after the fault gate, so HEAD never consumes an armed fault.
        .head(wrong_method)
        .fallback(wrong_method);
    Router::new().route("/api/events", events)
}

/// The `GET /api/events` handler.
async fn stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    QueryMap(query): QueryMap,
) -> Result<Response, ApiError> {
    let StreamRequest {
        rooms,
        user,
        resume,
    } = StreamRequest::parse(&headers, &query)?;
    if *state.shutdown.borrow() {
        return Err(ApiError::unavailable("The server is shutting down."));
    }
    let events = EventStream::open(state, rooms, user, resume).await?;
    Ok(events.into_response())
}

/// What a client asked for with the query and headers of `GET /api/events`.
struct StreamRequest {
    rooms: Arc<[String]>,
    user: Option<String>,
    resume: Option<i64>,
}

impl StreamRequest {
    /// Checks the parameters in the order the protocol reports them: rooms,
    /// user, resume id.
    fn parse(headers: &HeaderMap, query: &HashMap<String, String>) -> Result<Self, ApiError> {
        let rooms = match query.get("rooms") {
            Some(value) => parse_rooms(value)?,
            None => vec![DEFAULT_ROOM.to_owned()],
        };
        // `user=` with an empty value means "no user", like an absent parameter.
        let user = match query.get("user").map(String::as_str) {
            None | Some("") => None,
            Some(user) => {
                check_user(user).map_err(|reason| {
                    ApiError::unprocessable(format!("The query parameter `user` {reason}."))
                })?;
                Some(user.to_owned())
            }
        };
        let resume = resume_id(headers, query.get("last_event_id"))?;
        Ok(StreamRequest {
            rooms: rooms.into(),
            user,
            resume,
        })
    }
}

/// Every method but `GET` on `/api/events`, `HEAD` included: 405 with
/// `Allow: GET`. (axum would otherwise answer `HEAD` by running the whole
/// stream handler — joining presence, reading the replay — and discarding
/// the body.)
async fn wrong_method(method: Method, uri: Uri) -> impl IntoResponse {
    (
        [(header::ALLOW, HeaderValue::from_static("GET"))],
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "The method {method} is not allowed on {} (allowed: GET); open the event \
                 stream with GET.",
                uri.path()
            ),
        ),
    )
}

/// `Last-Event-ID` header, else the `last_event_id` query parameter. Empty
/// values count as absent; anything else must be an integer (400).
fn resume_id(headers: &HeaderMap, query: Option<&String>) -> Result<Option<i64>, ApiError> {
    if let Some(value) = headers.get("last-event-id") {
        let value = value
            .to_str()
            .map(str::trim)
            .map_err(|_| ApiError::bad_request("The Last-Event-ID header must be an integer."))?;
        if !value.is_empty() {
            return value.parse::<i64>().map(Some).map_err(|_| {
                ApiError::bad_request(format!(
                    "The Last-Event-ID header must be an integer (got {value:?})."
                ))
            });
        }
    }
    Ok(parse_int_param("last_event_id", query)?)
}
