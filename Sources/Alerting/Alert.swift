/// One alert: one output label set of one rule, with its state and timestamps (Unix seconds).
public struct Alert: Sendable, Equatable {
    /// The labels: the series' labels without `__name__`, the rule's expanded `labels`, and `alertname`.
    public var labels: [String: String]
    /// The annotations, expanded at the latest evaluation that found the condition true.
    public var annotations: [String: String]
    /// The state.
    public var state: AlertState
    /// When the condition was first found true in this cycle (the start of pending).
    public var activeAt: Double
    /// When the alert went from pending to firing, if it has.
    public var firedAt: Double?
    /// When a firing alert stopped firing, if it has.
    public var resolvedAt: Double?
    /// The last evaluation time at which the condition was true.
    public var lastTrueAt: Double
    /// When `keep_firing_for` started holding a firing alert whose condition is false (Prometheus's
    /// `keepFiringSince`); nil while the condition holds.
    public var keepFiringSince: Double?
    /// The expression's value at the last evaluation that found the condition true.
    public var value: Double
    /// Alertmanager's fingerprint of `labels` (16 hex digits), stable across evaluations and restarts.
    public var fingerprint: String

    /// Creates an alert; `fingerprint` is computed from `labels`.
    public init(
        labels: [String: String], annotations: [String: String], state: AlertState, activeAt: Double,
        firedAt: Double? = nil, resolvedAt: Double? = nil, lastTrueAt: Double, keepFiringSince: Double? = nil,
        value: Double
    ) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.lastTrueAt = lastTrueAt
        self.keepFiringSince = keepFiringSince
        self.value = value
        self.fingerprint = LabelFingerprint.hex(labels)
    }

    /// The `alertname` label.
    public var name: String { labels["alertname"] ?? "" }
}
