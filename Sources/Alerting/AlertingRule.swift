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
    ) throws(RuleLoadError) {
        do throws(RuleProblem) {
            try self.init(
                checking: name, expression: expression, holdDuration: holdDuration, keepFiringFor: keepFiringFor,
                labels: labels, annotations: annotations)
        } catch {
            throw RuleLoadError(file: "(inline)", rule: name, problem: error.description)
        }
    }

    init(
        checking name: String, expression: String, holdDuration: Double, keepFiringFor: Double,
        labels: [String: String], annotations: [String: String]
    ) throws(RuleProblem) {
        guard !name.isEmpty else { throw .emptyName }
        self.name = name
        self.expression = expression
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        guard !expression.trimmingWhitespace().isEmpty else {
            throw .missingExpression
        }
        do {
            parsedExpression = try ExpressionParser.parse(expression)
        } catch {
            throw .invalidExpression(expression.ruleTextExcerpt, error)
        }
        var labelTemplates: [String: AlertTemplate] = [:]
        for (key, value) in labels {
            guard Label.isValidLabelName(key) else {
                throw .invalidLabelName(key.printableExcerpt)
            }
            do { labelTemplates[key] = try AlertTemplate(value) } catch {
                throw .invalidLabelTemplate(label: key.printableExcerpt, template: value.ruleTextExcerpt, error)
            }
        }
        var annotationTemplates: [String: AlertTemplate] = [:]
        for (key, value) in annotations {
            guard Label.isValidLabelName(key) else {
                throw .invalidAnnotationName(key.printableExcerpt)
            }
            do { annotationTemplates[key] = try AlertTemplate(value) } catch {
                throw .invalidAnnotationTemplate(
                    annotation: key.printableExcerpt, template: value.ruleTextExcerpt, error)
            }
        }
        self.labelTemplates = labelTemplates
        self.annotationTemplates = annotationTemplates
    }
}
