/// Why a rule file could not be loaded: a ``ConfigError`` (the one error type of the
/// configuration files) with the file, line (when known), column (YAML syntax errors and `expr`
/// problems), group and rule, so a configuration error stops start-up with one message a user can
/// act on: `rules.yml:12:11: group "celery", rule "CeleryQueueBacklog": <problem>`.
public typealias RuleLoadError = ConfigError

extension ConfigError {
    /// A rule file's error: no key path, the place named by group and rule.
    public init(
        file: String, line: Int? = nil, column: Int? = nil, group: String? = nil, rule: String? = nil, problem: String
    ) {
        self.init(file: file, line: line, column: column, keyPath: "", group: group, rule: rule, message: problem)
    }

    /// What is wrong, e.g. `function rate() is not supported …` (the rule loader's word for ``message``).
    public var problem: String { message }
}

extension String {
    /// At most 64 characters of a name from the file, so one error stays one readable line.
    var excerpt: String { count > 64 ? String(prefix(61)) + "..." : self }
}
