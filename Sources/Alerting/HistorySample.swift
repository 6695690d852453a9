/// One remembered sample: the evaluation time in Unix milliseconds (Prometheus's resolution, so
/// window edges compare exactly as there) and the value.
struct HistorySample: Sendable, Equatable {
    var time: Int64
    var value: Double

    /// The size the history accounts per sample.
    static let bytes = MemoryLayout<HistorySample>.stride
}
