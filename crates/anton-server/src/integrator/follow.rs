//! Following a list that grows (`anton listen` over events, `anton logs tail` over requests):
//! poll from a window start, print each object once, and keep a few seconds of overlap, because
//! objects can reach a list a moment after their creation time (late commits, batched writes,
//! other nodes).

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use time::OffsetDateTime;

/// The window and the ids seen inside it.
pub(super) struct Follow {
    since: OffsetDateTime,
    seen: HashSet<String>,
    order: VecDeque<(String, OffsetDateTime)>,
    overlap: Duration,
}

impl Follow {
    /// A window starting a second ago, looking back `overlap` as it moves.
    pub(super) fn new(overlap: Duration) -> Self {
        Self {
            since: whole_second(OffsetDateTime::now_utc() - Duration::from_secs(1)),
            seen: HashSet::new(),
            order: VecDeque::new(),
            overlap,
        }
    }

    /// Where the next poll starts (`created[gte]`).
    pub(super) fn since(&self) -> OffsetDateTime {
        self.since
    }

    /// Whether `id` is new (and now seen).
    pub(super) fn admit(&mut self, id: &str, created: OffsetDateTime) -> bool {
        if !self.seen.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back((id.to_owned(), created));
        true
    }

    /// Moves the window to now minus the overlap, forgetting ids the server no longer returns
    /// for it. `created` and `created[gte]` have whole seconds, so the window starts on one: an
    /// id forgotten earlier would be printed again.
    pub(super) fn advance(&mut self) {
        let horizon = whole_second(OffsetDateTime::now_utc() - self.overlap);
        if horizon > self.since {
            self.since = horizon;
        }
        while self.order.front().is_some_and(|(_, t)| *t < self.since) {
            if let Some((id, _)) = self.order.pop_front() {
                self.seen.remove(&id);
            }
        }
    }
}

/// `t` without its fraction of a second: the resolution of `created[gte]` in unix seconds.
fn whole_second(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}
