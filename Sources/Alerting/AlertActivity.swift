/// When an alert became active and, if it did, when it started firing: the part of an
/// evaluator's state that a restart must not reset (Prometheus restores it from
/// `ALERTS_FOR_STATE`; the exporter keeps it in `--storage.path`).
public struct AlertActivity: Sendable, Equatable {
    /// When the condition was first found true in this cycle (Unix seconds).
    public var activeAt: Double
    /// When the alert went from pending to firing (Unix seconds), nil while pending.
    public var firedAt: Double?

    /// Creates an activity record.
    public init(activeAt: Double, firedAt: Double? = nil) {
        self.activeAt = activeAt
        self.firedAt = firedAt
    }
}
