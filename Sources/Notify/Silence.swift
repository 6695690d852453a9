import Alerting

/// One silence, Alertmanager's model (`silencepb.Silence`, API v2 `gettableSilence`): alerts
/// whose labels satisfy every matcher are not notified between ``startsAt`` and ``endsAt``.
public struct Silence: Sendable, Equatable {
    /// Alertmanager's silence states.
    public enum State: String, Sendable, CaseIterable {
        /// Starts in the future.
        case pending
        /// Mutes matching alerts now.
        case active
        /// Ended (expired by hand or by time); kept for a retention, then dropped.
        case expired
    }

    /// A UUID, made by the store.
    public var id: String
    /// All must match (at least one; an empty list would silence everything).
    public var matchers: [LabelMatcher]
    /// Unix seconds.
    public var startsAt: Double
    /// Unix seconds.
    public var endsAt: Double
    /// Unix seconds of the last change.
    public var updatedAt: Double
    /// Who made it (free text).
    public var createdBy: String
    /// Why (free text).
    public var comment: String

    /// A silence from its parts.
    public init(
        id: String, matchers: [LabelMatcher], startsAt: Double, endsAt: Double, updatedAt: Double, createdBy: String,
        comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }

    /// Alertmanager's `getState`: expired once `endsAt` is not in the future, pending before
    /// `startsAt`, active between.
    public func state(at now: Double) -> State {
        if endsAt <= now { return .expired }
        if now < startsAt { return .pending }
        return .active
    }

    /// Whether this silence's matchers all match `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }
}
