import Alerting
import Notify

/// Rule files and the alerting configuration as loaded from disk, validated as a whole.
public struct LoadedAlertingConfig: Sendable {
    public var ruleGroups: [RuleGroup]
    public var alerting: AlertingConfiguration?
    /// Secret-free problems of the rule files that do not stop loading (a file named twice).
    public var ruleWarnings: [String] = []

    /// Reads every rule file matching `rulePatterns` and the alerting config file; any error names
    /// the file and what is wrong, and nothing is applied.
    public static func load(rulePatterns: [String], alertingConfigFile: String?) throws -> LoadedAlertingConfig {
        var warnings: [String] = []
        let groups = try RuleLoader.load(patterns: rulePatterns, warnings: &warnings)
        let alerting = try alertingConfigFile.map { try AlertingConfiguration.load(file: $0) }
        return LoadedAlertingConfig(ruleGroups: groups, alerting: alerting, ruleWarnings: warnings)
    }

    /// Every load warning, prefixed with where it comes from, for the log.
    public var warnings: [String] {
        ruleWarnings.map { "rules: \($0)" } + (alerting?.warnings ?? []).map { "alerting config: \($0)" }
    }

    /// Number of alerting rules in all groups.
    public var ruleCount: Int { ruleGroups.reduce(0) { $0 + $1.rules.count } }
}
