#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock in Unix seconds: alert times, `webhook-timestamp`, last-success metrics.
/// Injected as a closure wherever time matters, so tests can pass their own.
public enum WallClock {
    /// `CLOCK_REALTIME` now, in seconds with a fraction.
    @Sendable public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
