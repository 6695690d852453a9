/// How far the census's running reconciliation pass has walked (the first pass decides when the
/// result counts appear, which at millions of keys takes the whole target pass duration).
public struct CensusProgress: Equatable, Sendable {
    /// Keys the pass has walked: those its `SCAN` calls returned (the unfiltered walk that also
    /// discovers queues), or with `MATCH` (no discovery) an estimate, `COUNT` per call, capped at
    /// ``expected``. At the end of a pass it stays at that pass's figure until the next one starts.
    public var walked: Int
    /// `DBSIZE` when the pass started: keys a full walk visits (keys written since come on top).
    public var expected: Int
    /// Whether a pass has completed since the start (the result counts are published).
    public var firstPassComplete: Bool

    /// Creates a progress value.
    public init(walked: Int = 0, expected: Int = 0, firstPassComplete: Bool = false) {
        self.walked = walked
        self.expected = expected
        self.firstPassComplete = firstPassComplete
    }
}
