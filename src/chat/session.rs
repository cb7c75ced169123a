//! Who the user is once joined: nickname, followed rooms, the room shown.
//! Remembered in localStorage, so a reload returns to the same place.

use crate::config::{is_room_name, is_user_name, Config};
use crate::transport::storage::{self, keys};

/// Who the user is, once they have joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub nickname: String,
    pub rooms: Vec<String>,
    pub active: String,
}

impl Session {
    /// The session saved by an earlier visit, if its nickname is still
    /// valid. Rooms fall back to the first configured one.
    pub fn restore(cfg: &Config) -> Option<Session> {
        let nickname = storage::get(keys::NICKNAME).filter(|n| is_user_name(n))?;
        let rooms: Vec<String> = storage::get(keys::ROOMS)
            .map(|r| {
                r.split(',')
                    .filter(|r| is_room_name(r))
                    .map(String::from)
                    .collect()
            })
            .filter(|r: &Vec<String>| !r.is_empty())
            .unwrap_or_else(|| cfg.rooms.iter().take(1).cloned().collect());
        let active = storage::get(keys::ACTIVE)
            .filter(|a| rooms.contains(a))
            .or_else(|| rooms.first().cloned())?;
        Some(Session {
            nickname,
            rooms,
            active,
        })
    }

    /// The nickname last joined with (to prefill the join screen).
    pub fn last_nickname() -> Option<String> {
        storage::get(keys::NICKNAME)
    }

    /// Remembers the nickname for the next visit.
    pub fn remember_nickname(nickname: &str) {
        // Forgetting the nickname is an inconvenience, not data loss.
        let _ = storage::set(keys::NICKNAME, nickname);
    }
}
