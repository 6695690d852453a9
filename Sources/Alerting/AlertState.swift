/// Where an alert is in its life cycle.
///
/// Prometheus has `inactive`, `pending` and `firing`, and marks a resolved alert as inactive with a
/// `ResolvedAt` time; here that is the explicit `.resolved` state, kept for 15 minutes so the
/// notifier can send the resolution.
public enum AlertState: String, Sendable, Equatable, Hashable {
    /// The condition holds but not yet for the rule's `for` duration.
    case pending
    /// The condition has held for `for` (or `keep_firing_for` is keeping it firing).
    case firing
    /// It was firing and has stopped; `resolvedAt` says when.
    case resolved
}
