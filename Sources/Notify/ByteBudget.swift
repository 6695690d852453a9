import Synchronization

/// The bytes all pending notifications of one ``Notifier`` may hold together (estimated with
/// `Notification.estimatedBytes`). Groups coalesce to one pending notification each, so the
/// budget is only reached with very many or very large groups; past it a new notification is
/// not kept (counted `dropped`, logged) and its group is made again at its next flush, since
/// the notification log only records deliveries.
public final class ByteBudget: Sendable {
    /// The limit in bytes.
    public let limit: Int
    private let used = Atomic<Int>(0)

    /// A budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Bytes currently held.
    public var bytes: Int { used.load(ordering: .relaxed) }

    /// Takes `delta` more bytes (negative releases); false, and nothing taken, when a positive
    /// `delta` would pass the limit.
    func take(_ delta: Int) -> Bool {
        if delta <= 0 {
            used.wrappingAdd(delta, ordering: .relaxed)
            return true
        }
        var current = used.load(ordering: .relaxed)
        while true {
            if current + delta > limit { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + delta, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }
}
