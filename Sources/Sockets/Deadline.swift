/// A point on the monotonic clock after which an operation gives up.
public struct Deadline: Sendable, Comparable {
    /// Nanoseconds on `CLOCK_MONOTONIC`.
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A deadline `duration` from now.
    public init(after duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.nanoseconds = Deadline.monotonicNow() + seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// A deadline that never comes (about 292 years away).
    public static let distantFuture = Deadline(nanoseconds: Int64.max / 2)

    /// The monotonic clock now, in nanoseconds (``MonotonicClock/nanoseconds()``).
    public static func monotonicNow() -> Int64 { MonotonicClock.nanoseconds() }

    /// Milliseconds left, clamped to `0...Int32.max`, rounded up so a wait never ends early.
    public var remainingMilliseconds: Int32 {
        let left = nanoseconds - Deadline.monotonicNow()
        if left <= 0 { return 0 }
        return Int32(min(Int64(Int32.max), (left + 999_999) / 1_000_000))
    }

    /// True once the deadline has passed.
    public var hasPassed: Bool { Deadline.monotonicNow() >= nanoseconds }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}
