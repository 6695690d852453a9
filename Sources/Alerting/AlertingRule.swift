import Exposition

/// One alerting rule from a rule file: `alert`, `expr`, `for`, `keep_firing_for`, `labels`,
/// `annotations`, with the expression and the templates already parsed, so evaluation cannot
/// meet a syntax error.
public struct AlertingRule: Sendable {
    /// The alert name (`alertname` label of every alert of this rule).
    public let name: String
    /// The `expr` text as written.
    public let expression: String
    /// `for`, in seconds: how long the condition must hold before pending becomes firing (0 = at once).
    public let holdDuration: Double
    /// `keep_firing_for`, in seconds: how long a firing alert keeps firing after the condition stops.
    public let keepFiringFor: Double
    /// The `labels` templates as written.
    public let labels: [String: String]
    /// The `annotations` templates as written.
    public let annotations: [String: String]

    let parsedExpression: Expression
    let labelTemplates: [String: AlertTemplate]
    let annotationTemplates: [String: AlertTemplate]

    /// Builds a rule and checks everything the loader checks; the error's `file` is `(inline)`.
    public init(
        name: String, expression: String, for holdDuration: Double = 0, keepFiringFor: Double = 0,
        labels: [String: String] = [:], annotations: [String: String] = [:]
    ) throws {
        do {
            try self.init(
                checking: name, expression: expression, holdDuration: holdDuration, keepFiringFor: keepFiringFor,
                labels: labels, annotations: annotations)
        } catch let problem as RuleProblem {
            throw RuleLoadError(file: "(inline)", rule: name, problem: problem.message)
        }
    }

    /// A problem with one rule, before the loader adds file, line and group.
    struct RuleProblem: Error {
        var message: String
        var key: String?
    }

    init(
        checking name: String, expression: String, holdDuration: Double, keepFiringFor: Double,
        labels: [String: String], annotations: [String: String]
    ) throws {
        guard !name.isEmpty else { throw RuleProblem(message: "alert name must not be empty", key: "alert") }
        self.name = name
        self.expression = expression
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        guard !expression.trimmingWhitespace().isEmpty else {
            throw RuleProblem(message: "field 'expr' must be set in rule", key: "expr")
        }
        do {
            parsedExpression = try ExpressionParser.parse(expression)
        } catch let error as ExpressionError {
            throw RuleProblem(message: "expr \(quoted(expression)): \(error.message)", key: "expr")
        }
        var labelTemplates: [String: AlertTemplate] = [:]
        for (key, value) in labels {
            guard Label.isValidLabelName(key) else {
                throw RuleProblem(
                    message:
                        "invalid label name \"\(key.excerpt)\" (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)",
                    key: "labels")
            }
            do { labelTemplates[key] = try AlertTemplate(value) } catch let error as TemplateError {
                throw RuleProblem(
                    message: "label \"\(key.excerpt)\": \(error.message) in \(quoted(value))", key: "labels")
            }
        }
        var annotationTemplates: [String: AlertTemplate] = [:]
        for (key, value) in annotations {
            guard Label.isValidLabelName(key) else {
                throw RuleProblem(message: "invalid annotation name \"\(key.excerpt)\"", key: "annotations")
            }
            do { annotationTemplates[key] = try AlertTemplate(value) } catch let error as TemplateError {
                throw RuleProblem(
                    message: "annotation \"\(key.excerpt)\": \(error.message) in \(quoted(value))", key: "annotations")
            }
        }
        self.labelTemplates = labelTemplates
        self.annotationTemplates = annotationTemplates
    }
}

private func quoted(_ text: String) -> String {
    let oneLine = text.trimmingWhitespace().replacingOccurrences("\n", " ")
    return "\"" + (oneLine.count > 120 ? String(oneLine.prefix(117)) + "..." : oneLine) + "\""
}
