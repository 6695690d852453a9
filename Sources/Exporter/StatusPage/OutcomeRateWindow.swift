/// Live task outcome rates for the status page: the cumulative result counters
/// (`celery_redis_task_results_total` by state) at each poll over the last ``windowSeconds``,
/// turned into per-minute rates. At most ``maximumSamples`` samples of a few states each
/// (a few KB), in memory only.
struct OutcomeRateWindow: Sendable {
    /// The span rates are measured over.
    static let windowSeconds = 300.0
    /// Samples kept at most.
    static let maximumSamples = 64

    private var samples: [(time: Double, totals: [String: Double])] = []

    /// Number of samples kept.
    var count: Int { samples.count }

    /// Adds the counters as of Unix time `now` and drops samples older than the window (keeping
    /// one just outside it, so the rate covers the whole window). One sample is kept per
    /// ``minimumSpacing`` bucket of time (a later one in the same bucket replaces the newest), which
    /// bounds the count whatever the poll interval.
    mutating func record(_ totals: [String: Double], at now: Double) {
        if let last = samples.last, now <= last.time { samples.removeLast() }
        let bucket = (now / Self.minimumSpacing).rounded(.down)
        if samples.count >= 2, let last = samples.last, (last.time / Self.minimumSpacing).rounded(.down) == bucket {
            samples[samples.count - 1] = (now, totals)
        } else {
            samples.append((now, totals))
        }
        while samples.count > 2, samples[1].time <= now - Self.windowSeconds { samples.removeFirst() }
        if samples.count > Self.maximumSamples { samples.removeFirst(samples.count - Self.maximumSamples) }
    }

    /// The width of the time buckets that keep one sample each: the window over a little less than
    /// ``maximumSamples``.
    static let minimumSpacing = windowSeconds / Double(maximumSamples - 4)

    /// Per-minute rates by state between the oldest and newest sample, sorted by state; nil with
    /// fewer than two samples. A counter that went down (a restart) counts from 0.
    var ratesPerMinute: (window: Double, rates: [(state: String, rate: Double)])? {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return nil }
        let span = last.time - first.time
        let rates = last.totals.keys.sorted().map { state -> (state: String, rate: Double) in
            let now = last.totals[state] ?? 0
            let before = first.totals[state] ?? 0
            let delta = now >= before ? now - before : now
            return (state, delta / span * 60)
        }
        return (span, rates)
    }
}
