/// A phase of one poll, in the order the poll runs them (rules last: the exporter evaluates alert
/// rules after the poll). Bounded names, used as the `phase` label of
/// `celery_redis_poll_phase_seconds`.
public enum PollPhase: String, Sendable, CaseIterable, Hashable {
    /// Queue discovery (`SCAN _kombu.binding.*`, `SMEMBERS`, the depth probe); 0 when not due.
    case discovery
    /// The main round: `LLEN` of every queue and priority list, `ZCARD`/`ZCOUNT`/`ZRANGE` of
    /// `unacked_index`, and reading their replies.
    case queues
    /// Sizing (`HSTRLEN`) and classification reads (`HMGET`, slices) of new `unacked` entries,
    /// and folding them into the per-queue counts.
    case unacked
    /// Census fold-in: the binding tables its pass found, its counts and the orphaned tasks.
    case foldIn = "fold_in"
    /// Queue tail reads (oldest waiting message), including the poll's one huge read; last.
    case tails
    /// Alert rule evaluation. Not measured by the sampler: the exporter fills it in with the
    /// evaluation after the previous poll (this poll's runs on the series built from it).
    case rules
}

/// Wall time of each ``PollPhase`` of one poll, seconds on the monotonic clock. The sampler's
/// phases are contiguous, so all but ``PollPhase/rules`` sum to ``Snapshot/pollDuration``.
public struct PollPhases: Equatable, Sendable {
    private var seconds = [Double](repeating: 0, count: PollPhase.allCases.count)

    /// All phases 0 (a failed poll, or a snapshot built by hand).
    public init() {}

    /// The time spent in `phase`, seconds.
    public subscript(phase: PollPhase) -> Double {
        get { seconds[PollPhase.allCases.firstIndex(of: phase)!] }
        set { seconds[PollPhase.allCases.firstIndex(of: phase)!] = newValue }
    }
}

/// Splits a poll's wall time into ``PollPhases``: each ``end(_:)`` charges the time since the
/// previous mark to a phase, so phases never overlap and nothing between them is lost.
struct PhaseTimer {
    private let clock: () -> Double
    /// When the poll began.
    let started: Double
    private var mark: Double
    private(set) var phases = PollPhases()

    init(clock: @escaping () -> Double) {
        self.clock = clock
        self.started = clock()
        self.mark = started
    }

    /// Charges the time since the previous mark (or the start) to `phase`; returns the new mark.
    @discardableResult
    mutating func end(_ phase: PollPhase) -> Double {
        let now = clock()
        phases[phase] += now - mark
        mark = now
        return now
    }

    /// The time since the start, without charging it to a phase (a failed poll).
    func elapsed() -> Double { clock() - started }
}
