//! In-flight fetches that end with their owner: an `AbortController`
//! aborted when dropped, so a chat torn down (or a test's owner cleaned up)
//! leaves no request running behind it.

use web_sys::{AbortController, AbortSignal};

/// Aborts every request started with its signal when dropped.
pub struct AbortOnDrop {
    controller: Option<AbortController>,
}

impl AbortOnDrop {
    /// A fresh controller. Without one (a very old browser), requests
    /// simply cannot be aborted.
    pub fn new() -> Self {
        AbortOnDrop {
            controller: AbortController::new().ok(),
        }
    }

    /// Aborts now (what dropping does); later requests with this signal
    /// fail at once.
    pub fn abort(&self) {
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    /// The signal to pass to `fetch`.
    pub fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

impl Default for AbortOnDrop {
    fn default() -> Self {
        AbortOnDrop::new()
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.abort();
    }
}
