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
