//! The list's DOM measurements: which row is at the top of the viewport,
//! putting it back where it was, and what a scroll event means for the
//! window ([`super::window::Scroll`]).

use super::window::Scroll;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Distance from the bottom (px) that still counts as "at the bottom".
const BOTTOM_SLACK: i32 = 48;
/// Distance from an edge (px) at which the window shifts.
const EDGE_TRIGGER: i32 = 300;

/// A row to keep in place across renders: its uid and its offset from the
/// viewport's top.
pub type Anchor = (u64, i32);

/// The first message row visible at the top of the viewport.
pub fn top_row(list: &Element) -> Option<Anchor> {
    let top = list.scroll_top();
    let rows = list.query_selector_all("li.msg").ok()?;
    for i in 0..rows.length() {
        let Some(row) = rows.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        if row.offset_top() + row.offset_height() > top {
            let uid = row.get_attribute("data-uid")?.parse().ok()?;
            return Some((uid, row.offset_top() - top));
        }
    }
    None
}

/// Scrolls so that the anchor row is where it was noted.
pub fn restore(list: &Element, (uid, offset): Anchor) {
    let selector = format!("li.msg[data-uid=\"{uid}\"]");
    if let Some(row) = list
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|r| r.dyn_into::<HtmlElement>().ok())
    {
        list.set_scroll_top(row.offset_top() - offset);
    }
}

/// Scrolls to the bottom; returns the new scroll position.
pub fn to_bottom(list: &Element) -> i32 {
    list.set_scroll_top(list.scroll_height());
    list.scroll_top()
}

/// What a scroll event means, given the position at the previous one.
pub fn measure(list: &Element, last_top: i32) -> Scroll {
    let top = list.scroll_top();
    let below = list.scroll_height() - top - list.client_height();
    Scroll {
        moved_up: top < last_top - 2,
        at_bottom: below <= BOTTOM_SLACK,
        near_top: top <= EDGE_TRIGGER,
        near_bottom: below <= EDGE_TRIGGER,
    }
}
