/// What ``Notifier/drain(deadline:)`` could not deliver before its deadline.
public struct DrainReport: Sendable, Equatable {
    /// Notifications not delivered, per integration (each was counted `failed` and logged).
    public var undelivered: [IntegrationID: [Notification]]
    /// Alert batches for Alertmanager's API that were not pushed.
    public var unpushedAlertBatches: Int

    /// Creates a report.
    public init(undelivered: [IntegrationID: [Notification]] = [:], unpushedAlertBatches: Int = 0) {
        self.undelivered = undelivered
        self.unpushedAlertBatches = unpushedAlertBatches
    }

    /// The number of notifications not delivered.
    public var undeliveredCount: Int { undelivered.values.reduce(0) { $0 + $1.count } }

    /// True when everything was delivered.
    public var isComplete: Bool { undeliveredCount == 0 && unpushedAlertBatches == 0 }
}
