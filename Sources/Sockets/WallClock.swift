#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock (`CLOCK_REALTIME`) in Unix seconds: alert times, `webhook-timestamp`, log
/// timestamps, result expiry epochs, last-success metrics. The one place that reads it; callers
/// that need time take it as a parameter or a closure defaulting to ``now()``, so tests pass
/// their own.
public enum WallClock {
    /// Now, in seconds with a fraction.
    @Sendable public static func now() -> Double {
        let (seconds, nanoseconds) = components()
        return Double(seconds) + Double(nanoseconds) / 1e9
    }

    /// Now as whole seconds and nanoseconds (exact, for formatting with milliseconds).
    public static func components() -> (seconds: Int, nanoseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int(ts.tv_sec), Int(ts.tv_nsec))
    }
}
