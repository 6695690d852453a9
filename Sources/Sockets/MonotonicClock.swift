#if canImport(Glibc)
    import Glibc
#endif

/// The monotonic clock (`CLOCK_MONOTONIC`): deadlines, waits, poll durations, ages that must not
/// jump when the wall clock is stepped. The one place that reads it (``Deadline`` and every
/// module measure time through it); callers that need time take it as a parameter.
public enum MonotonicClock {
    /// Now, in nanoseconds.
    @Sendable public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Now, in seconds with a fraction.
    @Sendable public static func seconds() -> Double { Double(nanoseconds()) / 1e9 }
}
