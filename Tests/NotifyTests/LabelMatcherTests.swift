import Testing

@testable import Alerting
@testable import Notify

/// Rules, routes, inhibit rules and silences share one matcher type; a matcher written in a rule
/// selector and the same matcher written in Alertmanager's syntax are equal and select the same
/// label sets (missing label as "", fully anchored regexes).
@Suite struct LabelMatcherTests {
    static let texts = [#"queue="celery""#, #"queue!="celery""#, #"queue=~"cel.*|a""#, #"queue!~"c""#, #"queue=~"""#]
    static let labelSets: [[String: String]] = [
        [:], ["queue": "celery"], ["queue": "celeryx"], ["queue": "a"], ["queue": "c"], ["queue": ""],
        ["other": "celery"],
    ]

    @Test(arguments: texts)
    func ruleSelectorAndRouteMatcherAgree(_ text: String) throws {
        guard case .selector(let selector) = try ExpressionParser.parse("x{\(text)}") else {
            Issue.record("not a selector")
            return
        }
        let fromRule = try #require(selector.matchers.last)
        let fromRoute = try LabelMatcher(parsing: text)
        #expect(fromRule == fromRoute)
        for labels in Self.labelSets {
            #expect(fromRule.matches(labels) == fromRoute.matches(labels), "\(labels)")
            #expect(selector.matches(labels.merging(["__name__": "x"]) { a, _ in a }) == fromRoute.matches(labels))
        }
    }
}
