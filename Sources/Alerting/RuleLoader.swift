import Sockets
import Yams

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
    public static func load(patterns: [String]) throws -> [RuleGroup] {
        var groups: [RuleGroup] = []
        for pattern in patterns {
            for file in try expand(pattern) {
                groups += try parse(yaml: try readFile(file), file: file)
            }
        }
        return groups
    }

    /// Expands one pattern with `glob(3)`.
    static func expand(_ pattern: String) throws -> [String] {
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
    private static func readFile(_ path: String) throws -> String {
        switch RegularFile.read(path, maximumBytes: YAMLLoader.maximumBytes) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let error) where error.isTooLarge:
            throw RuleLoadError(file: path, problem: "the rule file is larger than 1 MiB; split it into several files")
        case .failure(let error):
            throw RuleLoadError(file: path, problem: "cannot read the rule file: \(error.reason)")
        }
    }

    /// Parses the text of one rule file; `file` is only used in errors and in ``RuleGroup/file``.
    public static func parse(yaml: String, file: String) throws -> [RuleGroup] {
        let root: Node?
        do {
            root = try YAMLLoader.compose(yaml)
        } catch {
            throw RuleLoadError(file: file, line: error.line, column: error.column, problem: error.reason)
        }
        guard let root else { return [] }  // an empty file holds no groups, as in Prometheus
        guard case .mapping(let top) = root else {
            throw RuleLoadError(
                file: file, line: root.mark?.line, problem: "a rule file must be a mapping with a 'groups' list")
        }
        var groupsNode: Node? = nil
        for (key, value) in top {
            let name = key.scalar?.string ?? ""
            guard name == "groups" else {
                throw RuleLoadError(
                    file: file, line: key.mark?.line,
                    problem: "unknown field '\(name.excerpt)' at the top level (allowed: groups)")
            }
            groupsNode = value
        }
        guard let groupsNode else { return [] }
        if case .scalar(let s) = groupsNode, s.string.isEmpty || s.string == "null" || s.string == "~" { return [] }
        guard case .sequence(let list) = groupsNode else {
            throw RuleLoadError(file: file, line: groupsNode.mark?.line, problem: "'groups' must be a list")
        }
        var groups: [RuleGroup] = []
        var names: Set<String> = []
        for node in list {
            let group = try parseGroup(node, file: file)
            guard names.insert(group.name).inserted else {
                throw RuleLoadError(
                    file: file, line: node.mark?.line, group: group.name,
                    problem: "groupname \"\(group.name.excerpt)\" is repeated in the same file")
            }
            groups.append(group)
        }
        return groups
    }

    private static func scalar(_ node: Node, _ field: String, file: String, group: String?, rule: String?) throws
        -> String
    {
        guard case .scalar(let s) = node else {
            throw RuleLoadError(
                file: file, line: node.mark?.line, group: group, rule: rule,
                problem: "field '\(field)' must be a string")
        }
        return s.string
    }

    private static func duration(_ node: Node, _ field: String, file: String, group: String?, rule: String?) throws
        -> Double
    {
        let text = try scalar(node, field, file: file, group: group, rule: rule)
        guard let seconds = PrometheusDuration.parse(text) else {
            throw RuleLoadError(
                file: file, line: node.mark?.line, group: group, rule: rule,
                problem:
                    "bad duration '\(text.excerpt)' in '\(field)' (expected a Prometheus duration like 30s, 5m, 1h30m or 0s)"
            )
        }
        return seconds
    }

    private static func stringMap(_ node: Node, _ field: String, file: String, group: String?, rule: String?) throws
        -> [String: String]
    {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "null" || s.string == "~" { return [:] }
        guard case .mapping(let mapping) = node else {
            throw RuleLoadError(
                file: file, line: node.mark?.line, group: group, rule: rule,
                problem: "field '\(field)' must be a mapping of strings")
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            let name = try scalar(key, field, file: file, group: group, rule: rule)
            result[name] = try scalar(value, "\(field).\(name)", file: file, group: group, rule: rule)
        }
        return result
    }

    private static func parseGroup(_ node: Node, file: String) throws -> RuleGroup {
        guard case .mapping(let mapping) = node else {
            throw RuleLoadError(file: file, line: node.mark?.line, problem: "each entry of 'groups' must be a mapping")
        }
        var name: String? = nil
        for (key, value) in mapping where key.scalar?.string == "name" {
            name = try scalar(value, "name", file: file, group: nil, rule: nil)
        }
        guard let name, !name.isEmpty else {
            throw RuleLoadError(file: file, line: node.mark?.line, problem: "group name must not be empty")
        }
        var interval: Double? = nil
        var rules: [AlertingRule] = []
        for (key, value) in mapping {
            let field = key.scalar?.string ?? ""
            switch field {
            case "name": break
            case "interval": interval = try duration(value, "interval", file: file, group: name, rule: nil)
            case "rules":
                if case .scalar(let s) = value, s.string.isEmpty || s.string == "null" { continue }
                guard case .sequence(let list) = value else {
                    throw RuleLoadError(
                        file: file, line: value.mark?.line, group: name, problem: "'rules' must be a list")
                }
                for ruleNode in list { rules.append(try parseRule(ruleNode, file: file, group: name)) }
            case "limit", "query_offset", "labels", "source_tenants":
                throw RuleLoadError(
                    file: file, line: key.mark?.line, group: name,
                    problem: "group field '\(field.excerpt)' is not supported by celery-redis-exporter's rule evaluator"
                )
            default:
                throw RuleLoadError(
                    file: file, line: key.mark?.line, group: name,
                    problem: "unknown field '\(field.excerpt)' in group (allowed: name, interval, rules)")
            }
        }
        return RuleGroup(name: name, file: file, interval: interval, rules: rules)
    }

    private static func parseRule(_ node: Node, file: String, group: String) throws -> AlertingRule {
        guard case .mapping(let mapping) = node else {
            throw RuleLoadError(file: file, line: node.mark?.line, group: group, problem: "each rule must be a mapping")
        }
        var alert: String? = nil
        for (key, value) in mapping {
            switch key.scalar?.string {
            case "alert": alert = try scalar(value, "alert", file: file, group: group, rule: nil)
            case "record":
                let record = (try? scalar(value, "record", file: file, group: group, rule: nil)) ?? ""
                throw RuleLoadError(
                    file: file, line: key.mark?.line, group: group, rule: record,
                    problem:
                        "recording rules (record: \(record.excerpt)) are not supported: celery-redis-exporter evaluates "
                        + "alerting rules only; keep recording rules in a file that only Prometheus loads")
            default: break
            }
        }
        guard let alert, !alert.isEmpty else {
            throw RuleLoadError(
                file: file, line: node.mark?.line, group: group,
                problem: "rule has no 'alert' name (one of 'alert' or 'record' must be set)")
        }
        var expression = ""
        var expressionLine = node.mark?.line
        var expressionColumn: Int? = nil
        var holdDuration: Double = 0
        var keepFiringFor: Double = 0
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        var lines: [String: Int] = [:]
        for (key, value) in mapping {
            let field = key.scalar?.string ?? ""
            lines[field] = key.mark?.line
            switch field {
            case "alert": break
            case "expr":
                expression = try scalar(value, "expr", file: file, group: group, rule: alert)
                expressionLine = value.mark?.line
                expressionColumn = value.mark?.column
            case "for": holdDuration = try duration(value, "for", file: file, group: group, rule: alert)
            case "keep_firing_for":
                keepFiringFor = try duration(value, "keep_firing_for", file: file, group: group, rule: alert)
            case "labels": labels = try stringMap(value, "labels", file: file, group: group, rule: alert)
            case "annotations": annotations = try stringMap(value, "annotations", file: file, group: group, rule: alert)
            default:
                throw RuleLoadError(
                    file: file, line: key.mark?.line, group: group, rule: alert,
                    problem:
                        "unknown field '\(field.excerpt)' in rule (allowed: alert, expr, for, keep_firing_for, labels, annotations)"
                )
            }
        }
        do {
            return try AlertingRule(
                checking: alert, expression: expression, holdDuration: holdDuration, keepFiringFor: keepFiringFor,
                labels: labels, annotations: annotations)
        } catch let problem as AlertingRule.RuleProblem {
            let line = problem.key == "expr" ? expressionLine : problem.key.flatMap { lines[$0] } ?? node.mark?.line
            let column = problem.key == "expr" ? expressionColumn : nil
            throw RuleLoadError(
                file: file, line: line, column: column, group: group, rule: alert, problem: problem.message)
        }
    }
}
