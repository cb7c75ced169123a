//! Desktop notifications, strictly opt-in: nothing is asked of the browser
//! until the user ticks the box, and the choice is remembered.

use super::storage::{self, keys};
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Whether notifications are wanted and allowed.
pub fn enabled() -> bool {
    storage::get(keys::NOTIFICATIONS).as_deref() == Some("on")
        && Notification::permission() == NotificationPermission::Granted
}

/// Whether the browser has blocked them for this site.
pub fn blocked() -> bool {
    Notification::permission() == NotificationPermission::Denied
}

/// Turns notifications on (asking for permission if needed) or off.
/// Resolves to whether they are on afterwards.
pub async fn set_enabled(on: bool) -> bool {
    let _ = storage::set(keys::NOTIFICATIONS, if on { "on" } else { "off" });
    if !on {
        return false;
    }
    if Notification::permission() == NotificationPermission::Default {
        if let Ok(promise) = Notification::request_permission() {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    }
    enabled()
}

/// Shows one notification; the browser groups them by `tag` (the room).
pub fn show(title: &str, body: &str, tag: &str) {
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    // A notification that cannot be shown (permission revoked meanwhile)
    // is simply not shown.
    let _ = Notification::new_with_options(title, &options);
}
