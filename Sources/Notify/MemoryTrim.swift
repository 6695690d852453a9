import CLinux
import Sockets

/// Hands memory freed by large flushes back to the system (glibc's `malloc_trim`), at most once
/// per ``interval``. With 1200 alerts on 20 routes a flush makes and frees tens of thousands of
/// small values on the flush and poller threads; glibc keeps freed pages of each thread's arena
/// resident, so RSS would stay at the high-water mark of the busiest flush instead of the
/// live set. Only worth it when the dispatcher is large, so it runs only past ``minGroups``.
struct MemoryTrim {
    /// Least seconds between two trims.
    static let interval: Int64 = 10_000_000_000
    /// Groups below which trimming is not worth its cost (it walks every arena).
    static let minGroups = 1000

    private var last: Int64 = 0

    /// Trims when `groups` is large and the last trim is ``interval`` old.
    mutating func maybeTrim(groups: Int) {
        guard groups >= Self.minGroups else { return }
        let now = MonotonicClock.nanoseconds()
        guard now - last >= Self.interval else { return }
        last = now
        _ = malloc_trim(0)
    }
}
