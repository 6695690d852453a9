import Alerting

/// One alert as the notifier sees it: Alertmanager's alert model (labels, annotations, start,
/// end, generator URL) plus the fingerprint that identifies it across evaluations.
///
/// The evaluator's `Alert` maps to this (see `NotifiableAlert+Alerting.swift`); keeping the
/// notifier's input a small value of its own keeps payload and dispatcher tests independent of
/// rule evaluation.
public struct NotifiableAlert: Sendable, Equatable {
    /// The alert's identity: `alertname` plus the rule's and the series' labels.
    public var labels: [String: String]
    /// Human-readable details (`summary`, `description`, `runbook_url`).
    public var annotations: [String: String]
    /// When the alert started firing (Unix seconds).
    public var startsAt: Double
    /// When it resolved (Unix seconds), nil while firing.
    public var endsAt: Double?
    /// Stable identity across evaluations; Alertmanager's 16-hex-digit label-set hash by default.
    public var fingerprint: String
    /// A link back to the source (the exporter's alerts page), may be empty.
    public var generatorURL: String

    /// Creates an alert; `fingerprint` defaults to Alertmanager's hash of `labels`.
    public init(
        labels: [String: String], annotations: [String: String] = [:], startsAt: Double, endsAt: Double? = nil,
        fingerprint: String? = nil, generatorURL: String = ""
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.fingerprint = fingerprint ?? LabelFingerprint.hex(labels)
        self.generatorURL = generatorURL
    }

    /// Resolved at `now` when it has an end time that is not in the future (Alertmanager's rule).
    public func isResolved(at now: Double) -> Bool {
        guard let endsAt else { return false }
        return endsAt <= now
    }
}
