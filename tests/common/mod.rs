//! Helpers shared by the browser test files (`tests/web.rs`, `tests/ui.rs`).
// Each test file uses only some of these.
#![allow(dead_code)]

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Resolves at the next animation frame (after effects and the renders
/// they caused have run).
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A timer, for polling only: never as synchronisation by itself.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after `ms`.
pub async fn wait_for(what: &str, ms: f64, cond: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
    while !cond() {
        if js_sys::Date::now() > deadline {
            panic!("timed out after {ms} ms waiting for {what}");
        }
        sleep(20).await;
    }
}

/// Forgets what earlier tests stored (nickname, outbox, language).
pub fn clear_storage() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
}
