//! Small wrappers over browser facilities used across the app.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Current time, epoch milliseconds.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A uniform draw from [0, 1) (for jitter; not for secrets).
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// Local time zone offset in ms (added to UTC to get local time).
pub fn tz_offset_ms() -> f64 {
    -js_sys::Date::new_0().get_timezone_offset() * 60_000.0
}

/// A fresh idempotency key: 128 random bits from `crypto.getRandomValues`,
/// hex-encoded (the reference backend accepts `[A-Za-z0-9_-]{1,64}`).
pub fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old browser): fall back to Math.random.
        for b in &mut bytes {
            *b = (random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the browser believes it is online.
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Whether the page is visible.
pub fn is_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| !d.hidden())
}

/// A listener on a browser event target, removed when dropped, so no
/// closure is leaked (`forget()`) per connection or component.
pub struct Listener {
    target: web_sys::EventTarget,
    name: String,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    pub fn new(
        target: &web_sys::EventTarget,
        name: &str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Self {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        // Adding a listener can only fail on a detached target; then the
        // listener simply never fires, which is the right outcome.
        let _ = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            name: name.to_string(),
            closure,
        }
    }

    /// A listener on `window`.
    pub fn on_window(name: &str, f: impl FnMut(web_sys::Event) + 'static) -> Option<Self> {
        let w = web_sys::window()?;
        Some(Listener::new(w.as_ref(), name, f))
    }

    /// A listener on `document`.
    pub fn on_document(name: &str, f: impl FnMut(web_sys::Event) + 'static) -> Option<Self> {
        let d = web_sys::window()?.document()?;
        Some(Listener::new(d.as_ref(), name, f))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(&self.name, self.closure.as_ref().unchecked_ref());
    }
}

/// A one-shot timer, cancelled when dropped.
pub struct Timer {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn new(ms: f64, f: impl FnOnce() + 'static) -> Option<Self> {
        let mut f = Some(f);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f()
            }
        });
        let id = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                ms.clamp(0.0, i32::MAX as f64) as i32,
            )
            .ok()?;
        Some(Timer {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Clearing a timer that already fired is harmless.
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.id);
        }
    }
}

/// A sleep that can be cut short: `wake()` resolves every pending sleep at
/// once (used to resend immediately when the browser comes back online).
#[derive(Clone, Default)]
pub struct Waker {
    resolvers: Rc<RefCell<Vec<js_sys::Function>>>,
}

impl Waker {
    /// Sleeps `ms` milliseconds or until [`Waker::wake`].
    pub async fn sleep(&self, ms: f64) {
        let resolvers = self.resolvers.clone();
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    ms.clamp(0.0, i32::MAX as f64) as i32,
                );
            }
            resolvers.borrow_mut().push(resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        // Resolved (by time or wake): drop the stale resolvers so they do
        // not pile up. A concurrent sleeper loses only its early wake-up.
        self.resolvers.borrow_mut().clear();
    }

    pub fn wake(&self) {
        for r in self.resolvers.borrow_mut().drain(..) {
            let _ = r.call0(&JsValue::NULL);
        }
    }
}
