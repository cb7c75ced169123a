//! Windowing of the message list, pure: which absolute range of the room's
//! log is in the DOM, and how a scroll moves it. Only [`MAX_ROWS`] rows are
//! ever rendered, whatever the room's length; the window follows the newest
//! messages, and scrolling near an edge shifts it by [`STEP`] rows. Ranges
//! are absolute positions ([`crate::state::MessageLog::base`]), so history
//! arriving above or the cap dropping old messages does not move them.

/// Rows kept in the DOM at most.
pub const MAX_ROWS: i64 = 160;
/// Rows a window shift adds at one edge.
pub const STEP: i64 = 50;

/// Where the view is: following the newest messages, or a fixed range of
/// absolute positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Follow,
    Range(i64, i64),
}

impl View {
    /// The range shown, clamped to the log's `base..end`.
    pub fn range(self, base: i64, end: i64) -> (i64, i64) {
        match self {
            View::Follow => ((end - MAX_ROWS).max(base), end),
            View::Range(a, b) => (a.clamp(base, end), b.clamp(base, end)),
        }
    }
}

/// What the list measured at a scroll event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    /// The reader scrolled up (our own scrolls never go up).
    pub moved_up: bool,
    /// Within the slack of the bottom.
    pub at_bottom: bool,
    /// Close enough to the top to shift the window (or load older).
    pub near_top: bool,
    /// Close enough to the bottom to shift the window down.
    pub near_bottom: bool,
}

/// What a scroll changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub view: View,
    /// Whether the reader now follows the newest messages.
    pub following: bool,
    /// The window is at the oldest message held: fetch older history.
    pub load_older: bool,
}

/// The view after a scroll over a log spanning `base..end`.
pub fn after_scroll(view: View, scroll: Scroll, base: i64, end: i64) -> Step {
    let (start, stop) = view.range(base, end);
    // Only the reader scrolling up stops the list from following: our own
    // scrolls to the bottom (and content growing) never move it up.
    let mut view = match view {
        View::Follow if scroll.moved_up && !scroll.at_bottom => View::Range(start, stop),
        View::Range(..) if scroll.at_bottom && stop >= end => View::Follow,
        v => v,
    };
    let following = view == View::Follow;
    let mut load_older = false;
    if scroll.near_top {
        if start > base {
            let a = (start - STEP).max(base);
            view = View::Range(a, stop.min(a + MAX_ROWS));
        } else {
            load_older = true;
        }
    } else if scroll.near_bottom && stop < end && view != View::Follow {
        let b = (stop + STEP).min(end);
        view = View::Range(start.max(b - MAX_ROWS), b);
    }
    Step {
        view,
        following,
        load_older,
    }
}

/// When older history arrives (the base moved down from `prev_base`) while
/// the window sits at the top, the window grows up to show it.
pub fn after_history(view: View, prev_base: i64, base: i64) -> Option<View> {
    match view {
        View::Range(a, b) if base < prev_base && a <= prev_base => {
            let a = (a - STEP).max(base);
            Some(View::Range(a, b.min(a + MAX_ROWS)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: Scroll = Scroll {
        moved_up: true,
        at_bottom: false,
        near_top: false,
        near_bottom: false,
    };

    #[test]
    fn following_shows_the_newest_rows_only() {
        assert_eq!(View::Follow.range(0, 10_000), (10_000 - MAX_ROWS, 10_000));
        assert_eq!(View::Follow.range(-5, 20), (-5, 20));
        assert_eq!(View::Range(-100, 5).range(0, 3), (0, 3));
    }

    #[test]
    fn scrolling_up_stops_following_and_the_bottom_resumes_it() {
        let step = after_scroll(View::Follow, UP, 0, 1_000);
        assert_eq!(step.view, View::Range(840, 1_000));
        assert!(!step.following);
        let down = Scroll {
            at_bottom: true,
            ..Scroll::default()
        };
        let back = after_scroll(step.view, down, 0, 1_000);
        assert_eq!((back.view, back.following), (View::Follow, true));
        // At the bottom of a window that is not the newest: no follow yet.
        let mid = after_scroll(View::Range(100, 260), down, 0, 1_000);
        assert_eq!(mid.view, View::Range(100, 260));
    }

    #[test]
    fn edges_shift_the_window_and_the_top_loads_older() {
        let top = Scroll {
            near_top: true,
            ..Scroll::default()
        };
        let up = after_scroll(View::Range(100, 260), top, 0, 1_000);
        assert_eq!(up.view, View::Range(50, 210));
        let at_start = after_scroll(View::Range(0, 160), top, 0, 1_000);
        assert_eq!(
            (at_start.view, at_start.load_older),
            (View::Range(0, 160), true)
        );
        let bottom = Scroll {
            near_bottom: true,
            ..Scroll::default()
        };
        let down = after_scroll(View::Range(100, 260), bottom, 0, 1_000);
        assert_eq!(down.view, View::Range(150, 310));
        let end = after_scroll(View::Range(840, 1_000), bottom, 0, 1_000);
        assert_eq!(end.view, View::Range(840, 1_000), "nothing below");
    }

    #[test]
    fn history_above_grows_a_window_at_the_top_only() {
        assert_eq!(
            after_history(View::Range(0, 160), 0, -50),
            Some(View::Range(-50, 110))
        );
        assert_eq!(after_history(View::Range(10, 170), 0, -50), None);
        assert_eq!(after_history(View::Follow, 0, -50), None);
        assert_eq!(after_history(View::Range(0, 160), 0, 0), None);
    }
}
