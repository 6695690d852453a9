import Testing

@testable import Alerting

/// Expression errors are whole values a test (or a caller) compares, and the expression text
/// they quote can neither break a log line nor drive a terminal.
@Suite struct ExpressionErrorTests {
    /// True when the text holds a C0, DEL or C1 control character.
    private func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }

    @Test func parserThrowsWholeErrors() {
        #expect(throws: ExpressionError.unexpectedCharacter("$", offset: 2)) { try ExpressionParser.parse("m $ 1") }
        #expect(throws: ExpressionError.scalarComparisonWithoutBool) { try ExpressionParser.parse("5 > 3") }
        #expect(throws: ExpressionError.rangeTooLong(selector: "m[2h]")) { try ExpressionParser.parse("rate(m[2h])") }
        #expect(throws: ExpressionError.tooFewArguments(function: "predict_linear", expected: 2, got: 1)) {
            try ExpressionParser.parse("predict_linear(m[5m])")
        }
        #expect(
            throws: ExpressionError.invalidRegex(
                matcher: #"a=~"(""#, LabelRegexError(pattern: "(", kind: .missingClosingParenthesis))
        ) { try ExpressionParser.parse(#"m{a=~"("}"#) }
        #expect(throws: ExpressionError.syntax(offset: 1, unexpected: "end of input", expected: "an expression")) {
            try ExpressionParser.parse("-")
        }
    }

    @Test func positionsAreKept() throws {
        let deep = String(repeating: "(", count: ExpressionParser.maximumDepth + 10) + "1"
        do {
            _ = try ExpressionParser.parse(deep)
            Issue.record("parsed an expression deeper than the limit")
        } catch {
            guard case .tooDeep(let offset) = error else {
                Issue.record("not the depth error: \(error)")
                return
            }
            #expect(error.offset == offset)
            #expect(offset > 0 && offset < deep.utf8.count)
            #expect("\(error)".contains("at offset \(offset)"))
        }
        #expect(ExpressionError.unterminatedString(offset: 7).offset == 7)
        #expect(ExpressionError.emptySelector.offset == nil)
    }

    /// On main a raw ESC (or any control character) in an expression was copied into the error.
    @Test(arguments: [
        "m \u{1B}[31m", "m{a=\"\u{1B}\"} offset 5m", "rate(m{a=\"\u{7}\"}[2h])", "m{a=~\"(?\u{1B}x)\"}",
        "foo\u{85}bar",
    ])
    func quotedTextHasNoControlCharacters(_ expression: String) {
        let message = errorMessage { _ = try ExpressionParser.parse(expression) }
        #expect(message != nil)
        #expect(!hasControlCharacter(message ?? ""), "\(message.debugDescription)")
    }

    @Test func printableTextReadsAsBefore() {
        #expect("abc".printableExcerpt == "abc")
        #expect("a\u{1B}b\tc\nd\u{85}".printableExcerpt == #"a\x1bb\tc\nd\u0085"#)
        #expect("a\u{2028}b\u{2029}c".printableExcerpt == #"a\u2028b\u2029c"#)
        #expect(String(repeating: "x", count: 100).printableExcerpt == String(repeating: "x", count: 61) + "...")
    }

    /// Through the rule loader, as a user sees it at start-up and on `/-/reload`.
    @Test func ruleLoadErrorsEscapeControlCharacters() throws {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: "m{a=\\"\\e\\"} offset 5m"
            """
        let error = try #require(
            {
                do {
                    _ = try RuleLoader.parse(yaml: yaml, file: "rules.yml")
                    return nil
                } catch let error as RuleLoadError { return error } catch { return nil }
            }() as RuleLoadError?)
        #expect(!hasControlCharacter(error.description), "\(error.description.debugDescription)")
        #expect(error.problem.contains(#"\x1b"#))
        #expect(error.line == 5)
    }
}
