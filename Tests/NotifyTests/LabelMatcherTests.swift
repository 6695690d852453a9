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

    /// Each malformed form is reported as its own case, with the matcher as written, and the
    /// message the configuration error and the API's 400 answer show.
    @Test func malformedMatchersNameWhatWasExpected() {
        let cases: [(String, LabelMatcherParseError.Kind, String)] = [
            ("=x", .missingName, #"expected a label name at the start of "=x""#),
            ("a x", .missingOperator(name: "a"), #"expected =, !=, =~ or !~ after a in "a x""#),
            (#"a="x"#, .unterminatedQuote, #"unterminated quoted value in "a=\"x""#),
            (#"a="x"y""#, .unescapedQuote, #"unescaped quote inside the value of "a=\"x\"y\"""#),
            (#"a="x\""#, .danglingBackslash, #"dangling backslash in "a=\"x\\\"""#),
            (#"a=x"y"#, .strayQuote, #"stray quote in "a=x\"y""#),
        ]
        for (text, kind, message) in cases {
            #expect(throws: LabelMatcherParseError(kind, matcher: text), "\(text)") { try LabelMatcher(parsing: text) }
            #expect(LabelMatcherParseError(kind, matcher: text).description == message)
        }
    }

    /// A matcher comes from the API's `filter` query too: its message quotes an excerpt of
    /// bounded length, not the whole text (on main it echoed all of it, twice).
    @Test func longMatcherIsShownAsAnExcerpt() throws {
        let name = String(repeating: "a", count: 10_000) + "TAIL"
        let error = try #require(throws: LabelMatcherParseError.self) { try LabelMatcher(parsing: name + "?") }
        #expect(error.kind == .missingOperator(name: name))
        #expect(error.matcher == name + "?")
        #expect(error.description.count < 4 * LabelMatcherParseError.maximumExcerptScalars)
        #expect(!error.description.contains("TAIL"))
    }

    /// A regex message that quotes the pattern stays one line when the pattern holds a line
    /// break (`\n` in a quoted value), so a log line or a 400 answer cannot be split.
    @Test func regexMessageStaysOneLine() throws {
        let error = try #require(throws: LabelMatcherParseError.self) {
            try LabelMatcher(parsing: #"a=~"x\ny(""#)
        }
        guard case .invalidRegex(let reason) = error.kind else {
            Issue.record("expected invalidRegex, got \(error.kind)")
            return
        }
        // Both layers escape: the regex's own message (LabelRegexError) and the matcher error.
        #expect(!reason.contains("\n"))
        #expect(!error.description.contains("\n"))
        #expect(error.description.contains(#"x\ny("#))
    }
}
