//! Loading the runtime configuration: `config.json` beside index.html,
//! then the page's URL parameters on top (the rules are in
//! [`crate::config`]).

use crate::config::{Config, ConfigError};
use gloo_net::http::Request;
use std::fmt;

/// Why the configuration could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigLoadError {
    /// `config.json` answered with an error status.
    Http(u16),
    /// `config.json` could not be read (the browser's words).
    Unreadable(String),
    /// A setting is invalid.
    Invalid(ConfigError),
}

impl fmt::Display for ConfigLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigLoadError::Http(status) => {
                write!(f, "config.json could not be loaded (HTTP {status})")
            }
            ConfigLoadError::Unreadable(e) => write!(f, "config.json: {e}"),
            ConfigLoadError::Invalid(e) => e.fmt(f),
        }
    }
}

/// Fetches `config.json`. Absent (404, or a static host's HTML fallback
/// page) means "defaults"; any other failure is an error, so a broken
/// deployment is noticed rather than half-working.
async fn fetch_config_file() -> Result<Option<String>, ConfigLoadError> {
    let Ok(response) = Request::get("config.json").send().await else {
        return Ok(None);
    };
    let html = response
        .headers()
        .get("content-type")
        .is_some_and(|ct| ct.contains("text/html"));
    match response.status() {
        200 if html => Ok(None),
        200 => response
            .text()
            .await
            .map(Some)
            .map_err(|e| ConfigLoadError::Unreadable(e.to_string())),
        404 => Ok(None),
        status => Err(ConfigLoadError::Http(status)),
    }
}

/// The configuration for this page: defaults, `config.json`, URL parameters.
pub async fn load_config() -> Result<Config, ConfigLoadError> {
    let file = fetch_config_file().await?;
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    Config::load(file.as_deref(), &query).map_err(ConfigLoadError::Invalid)
}
