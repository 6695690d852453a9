/// A configuration file that cannot be used: which file (and the flag that named it), the 1-based
/// line (and column, for YAML syntax errors), the key path (`targets[2].redis_url`) and what is
/// wrong. The one error type of the configuration files (web configuration, targets file,
/// alerting configuration, rule files: there also the group and rule, see ``RuleLoadError``). It never quotes a value: values may be secrets (a webhook URL, a
/// token), so the message says what was expected, not what was found. Names from the file it does
/// show (a group, a receiver, a label) have their control characters escaped when printed.
///
/// Unlike the other error types, what is wrong stays a composed `message`: the loaders state about
/// a hundred distinct problems, each once (docs/error-style.md says why).
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as given.
    public var file: String
    /// The flag that named the file (`web.config.file`), shown as `--flag=file`; nil: the file alone.
    public var flag: String?
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known (YAML syntax errors).
    public var column: Int?
    /// Where in the document, e.g. `tls_server_config.cert_file` or `targets[0].queues[1]`; empty: the whole file.
    public var keyPath: String
    /// Rule files: the name of the group the problem is in, when it is inside one.
    public var group: String?
    /// Rule files: the name of the alerting rule the problem is in, when it is inside one.
    public var rule: String?
    /// What is wrong, in words that never include the document's text.
    public var message: String

    /// Creates an error.
    public init(
        file: String, flag: String? = nil, line: Int?, column: Int? = nil, keyPath: String, group: String? = nil,
        rule: String? = nil, message: String
    ) {
        self.file = file
        self.flag = flag
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.group = group
        self.rule = rule
        self.message = message
    }

    /// `[--flag=]file[:line[:column]]: [group "g", rule "r": ][key.path: ]message`: the place
    /// first, as compilers write it (editors jump to `file:line`); control characters escaped.
    public var description: String {
        var text = flag.map { "--\($0)=\(file)" } ?? file
        if let line { text += ":\(line)" }
        if line != nil, let column { text += ":\(column)" }
        text += ": "
        var names: [String] = []
        if let group { names.append("group \"\(group.printableExcerpt)\"") }
        if let rule { names.append("rule \"\(rule.printableExcerpt)\"") }
        if !names.isEmpty { text += names.joined(separator: ", ") + ": " }
        if !keyPath.isEmpty { text += keyPath + ": " }
        // A message may name something from the file (a receiver, a label, a path): whatever it
        // holds, the line stays one line and cannot drive a terminal.
        return (text + message).escapingControlCharacters
    }
}
