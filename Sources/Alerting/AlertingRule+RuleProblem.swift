extension AlertingRule {
    /// A problem with one rule, before the loader adds file, line and group (``RuleLoader``) or
    /// `(inline)` (``AlertingRule/init(name:expression:for:keepFiringFor:labels:annotations:)``).
    /// Rule text it quotes (the expression, a template, a name) is a one-line excerpt with control
    /// characters escaped, so a message never carries more of the file than the user needs.
    enum RuleProblem: Error, Equatable, Sendable, CustomStringConvertible {
        /// `alert:` is empty.
        case emptyName
        /// `expr:` is missing or blank.
        case missingExpression
        /// The expression (its excerpt) does not parse or is outside the supported subset.
        case invalidExpression(String, ExpressionError)
        /// A `labels` key that is not a label name (its excerpt).
        case invalidLabelName(String)
        /// A label's template (excerpts of the name and the template) that does not parse.
        case invalidLabelTemplate(label: String, template: String, TemplateError)
        /// An `annotations` key that is not a label name (its excerpt).
        case invalidAnnotationName(String)
        /// An annotation's template (excerpts of the name and the template) that does not parse.
        case invalidAnnotationTemplate(annotation: String, template: String, TemplateError)

        /// The rule's field the problem is in, so the loader can name its line (and, for `expr`, column).
        var key: String {
            switch self {
            case .emptyName: return "alert"
            case .missingExpression, .invalidExpression: return "expr"
            case .invalidLabelName, .invalidLabelTemplate: return "labels"
            case .invalidAnnotationName, .invalidAnnotationTemplate: return "annotations"
            }
        }

        /// One line, the problem without the place (the loader adds file, line, group and rule).
        var description: String {
            switch self {
            case .emptyName: return "alert name must not be empty"
            case .missingExpression: return "field 'expr' must be set in rule"
            case .invalidExpression(let expression, let error): return "expr \"\(expression)\": \(error)"
            case .invalidLabelName(let name):
                return "invalid label name \"\(name)\" (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)"
            case .invalidLabelTemplate(let label, let template, let error):
                return "label \"\(label)\": \(error) in \"\(template)\""
            case .invalidAnnotationName(let name): return "invalid annotation name \"\(name)\""
            case .invalidAnnotationTemplate(let annotation, let template, let error):
                return "annotation \"\(annotation)\": \(error) in \"\(template)\""
            }
        }
    }
}

extension String {
    /// An expression or template from a rule file as a rule problem quotes it: trimmed, one line
    /// (newlines read as spaces, other control characters escaped), at most 120 characters.
    var ruleTextExcerpt: String {
        let oneLine = trimmingWhitespace().replacingOccurrences("\n", " ").escapingControlCharacters
        return oneLine.count > 120 ? String(oneLine.prefix(117)) + "..." : oneLine
    }
}
