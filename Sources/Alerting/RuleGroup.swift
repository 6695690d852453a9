/// A `groups[]` entry of a rule file: a name, an optional interval and its alerting rules.
public struct RuleGroup: Sendable {
    /// The group name (unique within its file).
    public let name: String
    /// The rule file the group came from; with `name` it identifies the group across reloads.
    public let file: String
    /// The group's `interval` in seconds, if set. The exporter evaluates after every poll, so this
    /// is informational (Prometheus would use it as the evaluation period).
    public let interval: Double?
    /// The rules, in file order.
    public let rules: [AlertingRule]

    /// Creates a group.
    public init(name: String, file: String = "(inline)", interval: Double? = nil, rules: [AlertingRule]) {
        self.name = name
        self.file = file
        self.interval = interval
        self.rules = rules
    }
}
