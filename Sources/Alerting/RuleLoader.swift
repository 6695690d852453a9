import Sockets

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads Prometheus rule files (`groups: [{name, interval, rules: [{alert, expr, for, …}]}]`).
///
/// Stricter than "parse what we can": every unknown field, bad duration, recording rule,
/// unsupported PromQL construct or template error is a ``RuleLoadError`` naming file, line,
/// group and rule, because a rule that silently never fires is worse than a start-up failure.
public enum RuleLoader {
    /// Loads every file matching `patterns` (each a path or a `glob(3)` pattern), in pattern order
    /// and sorted within a pattern. A path without wildcards must exist; a glob that matches
    /// nothing contributes no groups (as in Prometheus's `rule_files`).
    public static func load(patterns: [String]) throws(RuleLoadError) -> [RuleGroup] {
        var warnings: [String] = []
        return try load(patterns: patterns, warnings: &warnings)
    }

    /// Like ``load(patterns:)``, and appends a warning for each file named again (by the same
    /// path, another spelling of it, a symbolic link or an overlapping glob): each file is read
    /// once, at its first mention, as its rules would otherwise be evaluated twice and yield
    /// every alert twice.
    public static func load(patterns: [String], warnings: inout [String]) throws(RuleLoadError) -> [RuleGroup] {
        var groups: [RuleGroup] = []
        var seen: [String: String] = [:]
        for pattern in patterns {
            for file in try expand(pattern) {
                // A file that cannot be resolved is read under its own name: reading reports why.
                let identity = canonicalPath(file) ?? file
                if let first = seen[identity] {
                    warnings.append(
                        first == file
                            ? "rule file \(file) is given more than once; it is loaded once"
                            : "rule file \(file) is the same file as \(first); it is loaded once")
                    continue
                }
                seen[identity] = file
                groups += try parse(yaml: try readFile(file), file: file)
            }
        }
        return groups
    }

    /// `realpath(3)` of `path`, nil when it cannot be resolved (missing file, loop).
    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Expands one pattern with `glob(3)`.
    static func expand(_ pattern: String) throws(RuleLoadError) -> [String] {
        guard pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [pattern] }
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(pattern, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else {
            throw RuleLoadError(file: pattern, problem: "cannot expand the pattern (glob error \(status))")
        }
        var files: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[i] { files.append(String(cString: path)) }
        }
        return files.sorted()
    }

    /// Reads one rule file: a regular file of at most 1 MiB (a FIFO would hang start-up or a reload).
    private static func readFile(_ path: String) throws(RuleLoadError) -> String {
        switch RegularFile.read(path, maximumBytes: YAMLLoader.maximumBytes) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let error) where error.isTooLarge:
            throw RuleLoadError(file: path, problem: "the rule file is larger than 1 MiB; split it into several files")
        case .failure(let error):
            throw RuleLoadError(file: path, problem: "cannot read the rule file: \(error.reason)")
        }
    }

    /// Parses the text of one rule file; `file` is only used in errors and in ``RuleGroup/file``.
    public static func parse(yaml: String, file: String) throws(RuleLoadError) -> [RuleGroup] {
        let document = ConfigDocument(file: file, flag: nil, syntaxErrorPrefix: "")
        guard let root = try document.parse(yaml: yaml) else { return [] }  // no groups, as in Prometheus
        guard let top = root.entries else {
            throw RuleLoadError(
                file: file, line: root.line, problem: "a rule file must be a mapping with a 'groups' list")
        }
        var groupsNode: ConfigValue? = nil
        for entry in top {
            guard entry.key == "groups" else {
                throw RuleLoadError(
                    file: file, line: entry.keyNode.line,
                    problem: "unknown field '\(entry.key.printableExcerpt)' at the top level (allowed: groups)")
            }
            groupsNode = entry.value
        }
        guard let groupsNode else { return [] }
        if isEmpty(groupsNode) { return [] }
        guard let list = groupsNode.items else {
            throw RuleLoadError(file: file, line: groupsNode.line, problem: "'groups' must be a list")
        }
        var groups: [RuleGroup] = []
        var names: Set<String> = []
        for node in list {
            let group = try parseGroup(node, file: file)
            guard names.insert(group.name).inserted else {
                throw RuleLoadError(
                    file: file, line: node.line, group: group.name,
                    problem: "groupname \"\(group.name.printableExcerpt)\" is repeated in the same file")
            }
            groups.append(group)
        }
        return groups
    }

    /// An empty value, null or the empty string (quoted or not), as the loader has always read it.
    private static func isEmpty(_ node: ConfigValue) -> Bool {
        guard let text = node.scalarText else { return false }
        return text.isEmpty || text == "null" || text == "~"
    }

    private static func scalar(_ node: ConfigValue, _ field: String, file: String, group: String?, rule: String?)
        throws(RuleLoadError) -> String
    {
        guard let text = node.scalarText else {
            throw RuleLoadError(
                file: file, line: node.line, group: group, rule: rule, problem: "field '\(field)' must be a string")
        }
        return text
    }

    private static func duration(_ node: ConfigValue, _ field: String, file: String, group: String?, rule: String?)
        throws(RuleLoadError) -> Double
    {
        let text = try scalar(node, field, file: file, group: group, rule: rule)
        guard let seconds = PrometheusDuration.parse(text) else {
            throw RuleLoadError(
                file: file, line: node.line, group: group, rule: rule,
                problem:
                    "bad duration '\(text.printableExcerpt)' in '\(field)' (expected a Prometheus duration like 30s, 5m, 1h30m or 0s)"
            )
        }
        return seconds
    }

    private static func stringMap(_ node: ConfigValue, _ field: String, file: String, group: String?, rule: String?)
        throws(RuleLoadError) -> [String: String]
    {
        if isEmpty(node) { return [:] }
        guard let entries = node.entries else {
            throw RuleLoadError(
                file: file, line: node.line, group: group, rule: rule,
                problem: "field '\(field)' must be a mapping of strings")
        }
        var result: [String: String] = [:]
        for entry in entries {
            result[entry.key] = try scalar(entry.value, "\(field).\(entry.key)", file: file, group: group, rule: rule)
        }
        return result
    }

    private static func parseGroup(_ node: ConfigValue, file: String) throws(RuleLoadError) -> RuleGroup {
        guard let entries = node.entries else {
            throw RuleLoadError(file: file, line: node.line, problem: "each entry of 'groups' must be a mapping")
        }
        var name: String? = nil
        for entry in entries where entry.key == "name" {
            name = try scalar(entry.value, "name", file: file, group: nil, rule: nil)
        }
        guard let name, !name.isEmpty else {
            throw RuleLoadError(file: file, line: node.line, problem: "group name must not be empty")
        }
        var interval: Double? = nil
        var rules: [AlertingRule] = []
        for entry in entries {
            let field = entry.key
            let value = entry.value
            switch field {
            case "name": break
            case "interval": interval = try duration(value, "interval", file: file, group: name, rule: nil)
            case "rules":
                if let text = value.scalarText, text.isEmpty || text == "null" { continue }
                guard let list = value.items else {
                    throw RuleLoadError(file: file, line: value.line, group: name, problem: "'rules' must be a list")
                }
                for ruleNode in list { rules.append(try parseRule(ruleNode, file: file, group: name)) }
            case "limit", "query_offset", "labels", "source_tenants":
                throw RuleLoadError(
                    file: file, line: entry.keyNode.line, group: name,
                    problem:
                        "group field '\(field.printableExcerpt)' is not supported by celery-redis-exporter's rule evaluator"
                )
            default:
                throw RuleLoadError(
                    file: file, line: entry.keyNode.line, group: name,
                    problem: "unknown field '\(field.printableExcerpt)' in group (allowed: name, interval, rules)")
            }
        }
        return RuleGroup(name: name, file: file, interval: interval, rules: rules)
    }

    private static func parseRule(_ node: ConfigValue, file: String, group: String) throws(RuleLoadError)
        -> AlertingRule
    {
        guard let entries = node.entries else {
            throw RuleLoadError(file: file, line: node.line, group: group, problem: "each rule must be a mapping")
        }
        var alert: String? = nil
        for entry in entries {
            switch entry.key {
            case "alert": alert = try scalar(entry.value, "alert", file: file, group: group, rule: nil)
            case "record":
                let record = entry.value.scalarText ?? ""
                throw RuleLoadError(
                    file: file, line: entry.keyNode.line, group: group, rule: record,
                    problem:
                        "recording rules (record: \(record.printableExcerpt)) are not supported: celery-redis-exporter evaluates "
                        + "alerting rules only; keep recording rules in a file that only Prometheus loads")
            default: break
            }
        }
        guard let alert, !alert.isEmpty else {
            throw RuleLoadError(
                file: file, line: node.line, group: group,
                problem: "rule has no 'alert' name (one of 'alert' or 'record' must be set)")
        }
        var expression = ""
        var expressionLine = node.line
        var expressionColumn: Int? = nil
        var holdDuration: Double = 0
        var keepFiringFor: Double = 0
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        var lines: [String: Int] = [:]
        for entry in entries {
            let field = entry.key
            let value = entry.value
            lines[field] = entry.keyNode.line
            switch field {
            case "alert": break
            case "expr":
                expression = try scalar(value, "expr", file: file, group: group, rule: alert)
                expressionLine = value.line
                expressionColumn = value.column
            case "for": holdDuration = try duration(value, "for", file: file, group: group, rule: alert)
            case "keep_firing_for":
                keepFiringFor = try duration(value, "keep_firing_for", file: file, group: group, rule: alert)
            case "labels": labels = try stringMap(value, "labels", file: file, group: group, rule: alert)
            case "annotations": annotations = try stringMap(value, "annotations", file: file, group: group, rule: alert)
            default:
                throw RuleLoadError(
                    file: file, line: entry.keyNode.line, group: group, rule: alert,
                    problem:
                        "unknown field '\(field.printableExcerpt)' in rule (allowed: alert, expr, for, keep_firing_for, labels, annotations)"
                )
            }
        }
        do throws(AlertingRule.RuleProblem) {
            return try AlertingRule(
                checking: alert, expression: expression, holdDuration: holdDuration, keepFiringFor: keepFiringFor,
                labels: labels, annotations: annotations)
        } catch let problem {
            let line = problem.key == "expr" ? expressionLine : lines[problem.key] ?? node.line
            let column = problem.key == "expr" ? expressionColumn : nil
            throw RuleLoadError(
                file: file, line: line, column: column, group: group, rule: alert, problem: problem.description)
        }
    }
}
