/// The backlog stage's memory between polls: one ``BacklogWindow`` per non-empty priority list,
/// the cost counters, and one shared copy of each task name.
///
/// Bounds: at most ``maxTrackedMessages`` messages over all lists (the largest queues are sampled
/// first; the rest wait, counted as pending); windows of lists that were not polled non-empty are
/// dropped at the end of every poll; names no window refers to are dropped when the name table
/// outgrows the live names.
struct BacklogTracker {
    /// Most messages remembered over all lists: 100,000 × about 40 bytes ≈ 4 MB.
    static let maxTrackedMessages = 100_000
    /// Bytes Redis may copy into the script per poll (whole messages), before a remembered window
    /// makes later polls cheap: 64 MiB is tens of milliseconds of `memcpy` in Redis. It is shared
    /// evenly by the poll's script calls; each call reads at least one message (so every list makes
    /// progress), so a poll may go over it by one message per call.
    static let copyBytesPerPoll = 64 << 20

    var windows: [[UInt8]: BacklogWindow] = [:]
    var stats = BacklogReadStats()
    /// Shares one `String` per distinct task name among all entries.
    private var names: [String: String] = [:]
    /// Paces the warning about scripting refused.
    var refusalLog = LogRateLimiter(interval: 3_600)

    /// `entry` with its name's storage shared with every other entry of that name.
    mutating func intern(_ entry: BacklogEntry) -> BacklogEntry {
        guard let name = entry.name else { return entry }
        if let shared = names[name] {
            var entry = entry
            entry.name = shared
            return entry
        }
        names[name] = name
        return entry
    }

    /// Ends a poll: keeps only the windows of `polled` lists and the names they use.
    mutating func finishPoll(polled: Set<[UInt8]>) {
        windows = windows.filter { polled.contains($0.key) }
        var tracked = 0
        for window in windows.values { tracked += window.oldest.count + window.newest.count }
        stats.tracked = tracked
        stats.trackedLimit = BacklogTracker.maxTrackedMessages
        if names.count > 1_024 && names.count > 2 * tracked {
            var live: [String: String] = [:]
            for window in windows.values {
                for entry in window.oldest + window.newest {
                    if let name = entry.name { live[name] = name }
                }
            }
            names = live
        }
    }
}
