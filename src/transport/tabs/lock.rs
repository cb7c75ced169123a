//! Leader election with the Web Locks API: every tab of a group asks for
//! the same exclusive lock; the browser grants it to one tab at a time and
//! hands it to the next waiting tab when the holder releases it, closes or
//! crashes. Web Locks are reached through `Reflect` because web-sys gates
//! them behind its unstable APIs.

use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A request for a lock, held from the grant until dropped. Dropping it
/// also withdraws a request still waiting.
pub struct LeaderLock {
    abort: web_sys::AbortController,
    /// Resolves the promise the grant callback returned: the release.
    release: Rc<RefCell<Option<Function>>>,
    _granted: Closure<dyn FnMut(JsValue) -> Promise>,
}

impl LeaderLock {
    /// Asks for the lock `name`; `on_granted` runs once this tab holds it.
    /// `None` where the browser has no Web Locks (the caller then streams
    /// on its own).
    pub fn request(name: &str, mut on_granted: impl FnMut() + 'static) -> Option<LeaderLock> {
        let navigator = web_sys::window()?.navigator();
        let locks = Reflect::get(&navigator, &"locks".into())
            .ok()
            .filter(JsValue::is_object)?;
        let request: Function = Reflect::get(&locks, &"request".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let abort = web_sys::AbortController::new().ok()?;
        let options = js_sys::Object::new();
        Reflect::set(&options, &"signal".into(), &abort.signal()).ok()?;
        let release: Rc<RefCell<Option<Function>>> = Rc::default();
        let slot = release.clone();
        let granted = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
            // The lock is held until this promise settles.
            let held = Promise::new(&mut |resolve, _reject| {
                *slot.borrow_mut() = Some(resolve);
            });
            on_granted();
            held
        });
        let asked = request
            .call3(&locks, &name.into(), &options, granted.as_ref())
            .ok()?
            .dyn_into::<Promise>()
            .ok()?;
        // Withdrawing a waiting request rejects it: expected, not an error.
        // That happens after this lock is dropped, so no handler of ours
        // may be called then: a task awaits the outcome and ignores it.
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        });
        Some(LeaderLock {
            abort,
            release,
            _granted: granted,
        })
    }
}

impl Drop for LeaderLock {
    fn drop(&mut self) {
        self.abort.abort();
        if let Some(release) = self.release.borrow_mut().take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}
