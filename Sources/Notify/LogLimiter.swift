/// Lets one log line through per `interval` seconds and counts what it held back, so a
/// receiver failing for 1200 groups logs a line every few seconds, not 1200.
struct LogLimiter: Sendable {
    let interval: Double
    private var last: Double = -.infinity
    private var suppressed = 0

    init(interval: Double) {
        self.interval = interval
    }

    /// Nil when the line should be held back; else how many were held back since the last one.
    mutating func admit(now: Double) -> Int? {
        guard now - last >= interval else {
            suppressed += 1
            return nil
        }
        last = now
        defer { suppressed = 0 }
        return suppressed
    }
}
