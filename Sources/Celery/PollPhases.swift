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
