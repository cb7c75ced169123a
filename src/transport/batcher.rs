//! Coalesces incoming items and hands them over once per animation frame,
//! so a burst of 1,000 events costs one reactive update, not 1,000.
//!
//! Hidden tabs get no animation frames, so a timer flushes too: unread
//! counts and the title keep up while the tab is in the background.

use super::browser::Timer;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Longest wait for a flush when no animation frame comes (hidden tab).
const FALLBACK_MS: f64 = 250.0;

/// A scheduled animation frame: its id and the closure it will call.
type Frame = (i32, Closure<dyn FnMut()>);

struct Inner<T> {
    queue: Vec<T>,
    scheduled: bool,
    frame: Option<Frame>,
    timer: Option<Timer>,
}

/// A queue flushed to `sink` at most once per frame.
pub struct Batcher<T: 'static> {
    inner: Rc<RefCell<Inner<T>>>,
    sink: Rc<dyn Fn(Vec<T>)>,
}

impl<T: 'static> Clone for Batcher<T> {
    fn clone(&self) -> Self {
        Batcher {
            inner: self.inner.clone(),
            sink: self.sink.clone(),
        }
    }
}

impl<T: 'static> Batcher<T> {
    pub fn new(sink: impl Fn(Vec<T>) + 'static) -> Self {
        Batcher {
            inner: Rc::new(RefCell::new(Inner {
                queue: Vec::new(),
                scheduled: false,
                frame: None,
                timer: None,
            })),
            sink: Rc::new(sink),
        }
    }

    /// Queues an item; schedules a flush if none is pending.
    pub fn push(&self, item: T) {
        let mut inner = self.inner.borrow_mut();
        inner.queue.push(item);
        if inner.scheduled {
            return;
        }
        inner.scheduled = true;
        let this = self.clone();
        let closure = Closure::<dyn FnMut()>::new(move || this.flush());
        let id = web_sys::window().and_then(|w| {
            w.request_animation_frame(closure.as_ref().unchecked_ref())
                .ok()
        });
        if let Some(id) = id {
            inner.frame = Some((id, closure));
        }
        let this = self.clone();
        inner.timer = Timer::new(FALLBACK_MS, move || this.flush());
    }

    /// Hands everything queued to the sink now.
    pub fn flush(&self) {
        let items = {
            let mut inner = self.inner.borrow_mut();
            inner.scheduled = false;
            // Whichever of the two fired, the other is cancelled; both
            // closures are dropped here, even the one running this flush
            // (wasm-bindgen frees a closure only once its call returns), so
            // nothing keeps the queue alive after the chat goes away.
            if let (Some((id, _)), Some(w)) = (&inner.frame, web_sys::window()) {
                let _ = w.cancel_animation_frame(*id);
            }
            inner.frame = None;
            inner.timer = None;
            std::mem::take(&mut inner.queue)
        };
        if !items.is_empty() {
            (self.sink)(items);
        }
    }
}
