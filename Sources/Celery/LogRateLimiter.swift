/// At most one log line per ``interval`` seconds for one recurring problem (a full table, a
/// clamped value): the first occurrence is logged at once, later ones within the interval are only
/// counted and reported with the next line that is let through.
///
/// A pure value: the caller passes `now` (any clock, as long as it is the same one every time).
struct LogRateLimiter: Sendable {
    /// Seconds between two lines.
    let interval: Double
    private var lastLogged: Double?
    private var suppressed = 0

    init(interval: Double = 60) {
        self.interval = interval
    }

    /// Nil when a line was logged less than ``interval`` ago (this occurrence is counted); otherwise
    /// the number of occurrences suppressed since the last line, and the caller should log now.
    mutating func admit(at now: Double) -> Int? {
        if let lastLogged, now >= lastLogged, now - lastLogged < interval {
            suppressed += 1
            return nil
        }
        lastLogged = now
        defer { suppressed = 0 }
        return suppressed
    }
}
