/// Why a rule file could not be loaded, with the place it happened: file, line (when known),
/// group and rule, so a configuration error stops start-up with one message a user can act on.
public struct RuleLoadError: Error, CustomStringConvertible, Equatable {
    /// The rule file (path as given or as expanded from a glob).
    public var file: String
    /// The 1-based line in `file`, when the YAML parser or the node position knows it.
    public var line: Int?
    /// The 1-based column, when known (YAML syntax errors and `expr` problems: where the value starts).
    public var column: Int?
    /// The group name, when the problem is inside a group.
    public var group: String?
    /// The alert name, when the problem is inside a rule.
    public var rule: String?
    /// What is wrong, e.g. `function rate() is not supported …`.
    public var problem: String

    /// Creates an error.
    public init(
        file: String, line: Int? = nil, column: Int? = nil, group: String? = nil, rule: String? = nil, problem: String
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.group = group
        self.rule = rule
        self.problem = problem
    }

    /// `rules.yml:12:11: group "celery", rule "CeleryQueueBacklog": <problem>` (column when known).
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if line != nil, let column { text += ":\(column)" }
        var context: [String] = []
        if let group { context.append("group \"\(group.excerpt)\"") }
        if let rule { context.append("rule \"\(rule.excerpt)\"") }
        text += ": "
        if !context.isEmpty { text += context.joined(separator: ", ") + ": " }
        return text + problem
    }
}

extension String {
    /// At most 64 characters of a name from the file, so one error stays one readable line.
    var excerpt: String { count > 64 ? String(prefix(61)) + "..." : self }
}
