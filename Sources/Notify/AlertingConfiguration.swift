/// The `--alerting.config` file: a subset of Alertmanager's configuration (`route` and
/// `receivers` with `webhook_configs` and `slack_configs`, `inhibit_rules`) plus our `signing` extension.
///
/// Load it with ``load(file:)``; every problem is an ``AlertingConfigurationError`` naming the
/// file, line, key path and what was expected, and unknown keys are errors (a typo such as
/// `group_wiat` must not silently fall back to a default).
public struct AlertingConfiguration: Sendable, Equatable {
    /// The root of the routing tree.
    public var route: Route
    /// The receivers, in file order.
    public var receivers: [ReceiverConfiguration]
    /// Problems worth a start-up warning that do not stop start-up (plain `http://` URLs,
    /// unused receivers, `insecure_skip_verify`). Secret-free.
    public var warnings: [String]
    /// The `inhibit_rules`, in file order.
    public var inhibitRules: [InhibitRule]

    /// Creates a configuration from its parts (tests build them directly).
    public init(
        route: Route, receivers: [ReceiverConfiguration], warnings: [String] = [], inhibitRules: [InhibitRule] = []
    ) {
        self.route = route
        self.receivers = receivers
        self.warnings = warnings
        self.inhibitRules = inhibitRules
    }

    /// The receivers some route can reach, in file order: only their integrations get a
    /// delivery thread (an unused receiver is warned about at load and never sent to).
    public var routedReceivers: [ReceiverConfiguration] {
        let used = Set(route.allReceivers)
        return receivers.filter { used.contains($0.name) }
    }

    /// The receiver named `name`.
    public func receiver(named name: String) -> ReceiverConfiguration? {
        receivers.first { $0.name == name }
    }
}
