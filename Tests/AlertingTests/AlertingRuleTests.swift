import Testing

@testable import Alerting

/// A rule's own checks throw one ``AlertingRule/RuleProblem`` naming the field, which the loader
/// turns into the line it reports.
@Suite struct AlertingRuleTests {
    private func check(
        name: String = "A", expression: String = "m > 1", labels: [String: String] = [:],
        annotations: [String: String] = [:]
    ) throws(AlertingRule.RuleProblem) {
        _ = try AlertingRule(
            checking: name, expression: expression, holdDuration: 0, keepFiringFor: 0, labels: labels,
            annotations: annotations)
    }

    @Test func problemsAreWholeValuesWithTheirField() throws {
        #expect(throws: AlertingRule.RuleProblem.emptyName) { try check(name: "") }
        #expect(throws: AlertingRule.RuleProblem.missingExpression) { try check(expression: "  ") }
        #expect(throws: AlertingRule.RuleProblem.invalidExpression("5 > 3", .scalarComparisonWithoutBool)) {
            try check(expression: " 5 > 3\n")
        }
        #expect(throws: AlertingRule.RuleProblem.invalidLabelName("9x")) { try check(labels: ["9x": "v"]) }
        #expect(
            throws: AlertingRule.RuleProblem.invalidAnnotationTemplate(
                annotation: "summary", template: "{{ $nope }}", .undefinedVariable("nope"))
        ) { try check(annotations: ["summary": "{{ $nope }}"]) }
        let keys = [
            AlertingRule.RuleProblem.emptyName, .missingExpression, .invalidLabelName("x"),
            .invalidAnnotationName("y"),
        ].map(\.key)
        #expect(keys == ["alert", "expr", "labels", "annotations"])
    }

    @Test func inlineRulesReportTheSameText() {
        let error = #expect(throws: RuleLoadError.self) {
            _ = try AlertingRule(name: "A", expression: "m > 1", labels: ["9x": "v"])
        }
        #expect(error?.file == "(inline)")
        #expect(error?.problem == AlertingRule.RuleProblem.invalidLabelName("9x").description)
    }
}
