import Synchronization

/// Decides which repeats of a log line get written: at most one per `interval` per key, and the
/// line that does get written says how many were held back since the last one.
///
/// It does no logging itself (so any module can use it without depending on a logging library):
///
/// ```swift
/// if let suppressed = warnings.admit("accept-emfile") {
///     logger.warning("cannot accept: out of file descriptors", metadata: ["suppressed": "\(suppressed)"])
/// }
/// ```
///
/// Keys are meant to be a fixed set chosen by the caller (a condition, not outside data); the
/// table is still capped at ``maxKeys``: past it, expired keys are forgotten, and when none has
/// expired a new key is admitted every time (more lines rather than a silently lost one).
public final class RateLimitedLog: Sendable {
    /// The shortest time between two lines of one key.
    public let interval: Duration
    /// The most keys remembered at once.
    public let maxKeys: Int

    private struct Entry {
        var lastEmitted: Int64
        var suppressed: Int
    }
    private let entries = Mutex<[String: Entry]>([:])
    private let intervalNanoseconds: Int64

    /// A limiter allowing one line per key per `interval` (10 s suits warnings about a
    /// condition that can repeat thousands of times a second).
    public init(interval: Duration = .seconds(10), maxKeys: Int = 256) {
        precondition(interval >= .zero && maxKeys > 0, "RateLimitedLog: interval and maxKeys must be positive")
        self.interval = interval
        self.maxKeys = maxKeys
        let (seconds, attoseconds) = interval.components
        self.intervalNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whether to write the line for `key` now. Returns nil to hold it back, or the number of lines
    /// of this key held back since the last one written (0 for the first).
    ///
    /// - Parameter now: monotonic nanoseconds (``Deadline/monotonicNow()``); tests pass their own.
    public func admit(_ key: String, now: Int64 = Deadline.monotonicNow()) -> Int? {
        entries.withLock { table in
            if var entry = table[key] {
                if now - entry.lastEmitted < intervalNanoseconds {
                    entry.suppressed += 1
                    table[key] = entry
                    return nil
                }
                table[key] = Entry(lastEmitted: now, suppressed: 0)
                return entry.suppressed
            }
            if table.count >= maxKeys {
                let horizon = now - intervalNanoseconds
                table = table.filter { $0.value.lastEmitted > horizon || $0.value.suppressed > 0 }
                guard table.count < maxKeys else { return 0 }
            }
            table[key] = Entry(lastEmitted: now, suppressed: 0)
            return 0
        }
    }
}
