import Exposition
import Foundation
import TestSupport

@testable import Alerting

/// The repository root, found from this file's path (Tests/AlertingTests/…).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A gauge family from `(labels, value)` pairs.
func gauge(_ name: String, _ samples: [([String: String], Double)]) -> MetricFamily {
    MetricFamily(
        name: name, help: "", type: .gauge,
        samples: samples.map { labels, value in
            Sample(labels: labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }, value: value)
        })
}

/// Parses and evaluates `expr` against `families`, returning the elements sorted by labels.
func evaluate(_ expr: String, _ families: [MetricFamily], now: Double = 1000) throws -> [VectorElement] {
    let expression = try ExpressionParser.parse(expr)
    return try ExpressionEvaluator(families: families, now: now).evaluateAsVector(expression)
        .sorted { $0.labels.sorted { $0.key < $1.key }.description < $1.labels.sorted { $0.key < $1.key }.description }
}

/// The message of the error thrown by `body`, or nil.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

/// A one-group rule set parsed from YAML (trapping on load errors: tests give valid YAML).
func groups(_ yaml: String) throws -> [RuleGroup] {
    try RuleLoader.parse(yaml: yaml, file: "test.yml")
}

/// The path of a required tool (a missing tool fails the test, see TestSupport).
func requireToolPath(_ name: String) throws -> String { try requireTool(name) }

/// A Python single-quoted literal for `s`.
func pythonString(_ s: String) -> String {
    "'"
        + s.unicodeScalars.map { c -> String in
            if c == "\\" { return "\\\\" }
            if c == "'" { return "\\'" }
            if c == "\n" { return "\\n" }
            if c == "\t" { return "\\t" }
            return String(c)
        }.joined() + "'"
}

/// A YAML document read with the exporter's own reader as plain values: mappings as
/// `[String: Any]`, lists as `[Any]`, scalars as their text (nil: an empty document).
func yamlValue(_ text: String) throws -> Any? {
    func plain(_ value: ConfigValue) -> Any {
        if let entries = value.entries {
            return Dictionary(entries.map { ($0.key, plain($0.value)) }, uniquingKeysWith: { first, _ in first })
        }
        if let items = value.items { return items.map(plain) }
        return value.scalarText ?? ""
    }
    return try ConfigDocument(file: "test.yml", flag: nil).root(yaml: text).map(plain)
}
