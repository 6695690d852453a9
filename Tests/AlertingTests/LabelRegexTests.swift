import TestSupport
import Testing

@testable import Alerting

@Suite struct LabelRegexTests {
    /// (pattern, value, matches) — whole-string matches, as Prometheus anchors them.
    static let table: [(String, String, Bool)] = [
        ("celery", "celery", true),
        ("celery", "celery2", false),  // anchored at the end
        ("elery", "celery", false),  // anchored at the start
        ("", "", true),
        ("", "x", false),
        (".*", "", true),
        (".*", "anything\nat all", true),  // (?s): dot matches newline
        (".+", "", false),
        ("cel.ry", "celery", true),
        ("a*", "aaaa", true),
        ("a+b?", "aaab", true),
        ("a+b?", "b", false),
        ("celery|default", "default", true),
        ("celery|default", "celerydefault", false),
        ("(high|low)_priority", "low_priority", true),
        ("(?:high|low)_priority", "mid_priority", false),
        ("queue-[0-9]+", "queue-42", true),
        ("queue-[0-9]+", "queue-", false),
        ("[^.]+", "a.b", false),
        ("[^.]+", "ab", true),
        ("[a-cx-z]+", "abzx", true),
        ("[a-cx-z]+", "abd", false),
        ("a\\.b", "a.b", true),
        ("a\\.b", "axb", false),
        ("\\d{3}", "123", true),
        ("\\d{3}", "12", false),
        ("\\d{2,3}", "1234", false),
        ("\\d{2,}", "12345", true),
        ("x{2}y{0,1}", "xxy", true),
        ("\\w+@\\w+", "user_1@host", true),
        ("\\s*x\\s*", " \tx ", true),
        ("\\S+", "a b", false),
        ("[\\d.]+", "1.25", true),
        ("a{,2}", "a{,2}", true),  // not a counted repetition: literal, as in RE2
        ("(a|ab)(c|bcd)(d*)", "abcd", true),
        ("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),  // no exponential blow-up
        ("^celery$", "celery", true),
        ("a*?", "aaa", true),
        ("é+", "éé", true),
        ("[^a]", "é", true),
    ]

    @Test func matchesTable() throws {
        for (pattern, value, expected) in LabelRegexTests.table {
            let regex = try LabelRegex(pattern)
            #expect(regex.matches(value) == expected, "\(pattern) against \(value)")
        }
    }

    @Test(arguments: [
        ("(?i)celery", "flags"), ("(?P<q>x)", "named groups"), ("\\bword", "\\b"), ("\\p{L}", "\\p"),
        ("[[:alpha:]]", "POSIX"), ("(abc", "missing closing )"), ("abc)", "unexpected ')'"),
        ("[abc", "missing closing ]"),
        ("*a", "missing argument"), ("a**", "nested repetition"), ("a{3,1}", "invalid repeat count"),
        ("\\", "trailing backslash"),
        ("a{1001}", "at most 1000"),
    ])
    func rejectsUnsupported(_ pattern: String, _ fragment: String) {
        let message = errorMessage { _ = try LabelRegex(pattern) }
        #expect(message?.contains(fragment) == true, "\(pattern): \(message ?? "no error")")
        #expect(message?.contains(pattern) == true)
    }

    /// Go (Perl syntax, as Prometheus compiles matchers) rejects a repetition of a repetition,
    /// counted ones included; the lazy `?` is part of the first operator.
    @Test(arguments: [
        ("a**", "**"), ("a*+", "*+"), ("a+?*", "+?*"), ("a*??", "*??"), ("a{2}{3}", "{2}{3}"), ("a{0}*", "{0}*"),
        ("a*{2}", "*{2}"), ("(a){1,2}{3,}", "{1,2}{3,}"), ("a?{0}", "?{0}"),
    ])
    func nestedRepetitionIsRejectedAsGoDoes(_ pattern: String, _ operators: String) {
        #expect(throws: LabelRegexError(pattern: pattern, kind: .nestedRepetition(operators))) {
            try LabelRegex(pattern)
        }
    }

    /// Still accepted: lazy forms, a repetition of a group holding a repetition, and a `{` that is
    /// no counted repetition (a literal, as in RE2).
    @Test(arguments: [
        ("a*?", "aaa"), ("a+?", "a"), ("a??", ""), ("a{2}?", "aa"), ("(a*)*", "aaa"), ("a*{,2}", "a{,2}"),
    ])
    func lazyAndGroupedRepetitionsStillParse(_ pattern: String, _ value: String) throws {
        #expect(try LabelRegex(pattern).matches(value))
    }

    /// `a{0}{0}…` nested one tree level per operator without a group, and `{0}` counted as no
    /// instructions: 20,000 of them overflowed the stack (SIGSEGV) at start-up and reload.
    @Test func stackedCountedRepetitionsAreRejectedNotASegfault() {
        let pattern = "a" + String(repeating: "{0}", count: 20_000)
        let error = #expect(throws: LabelRegexError.self) { try LabelRegex(pattern) }
        #expect(error?.kind == .nestedRepetition("{0}{0}"))
        // Groups still bound the depth; a repetition per group adds one level each.
        let grouped = String(repeating: "(", count: 200) + "a" + String(repeating: ")*", count: 200)
        #expect(throws: LabelRegexError(pattern: grouped, kind: .groupsTooDeep)) { try LabelRegex(grouped) }
    }

    @Test func errorsCarryThePatternAndAKind() {
        #expect(throws: LabelRegexError(pattern: "a**", kind: .nestedRepetition("**"))) { try LabelRegex("a**") }
        #expect(throws: LabelRegexError(pattern: "a{3,1}", kind: .invalidRepeatCount(minimum: 3, maximum: 1))) {
            try LabelRegex("a{3,1}")
        }
        // A control character in the pattern is escaped in the message (on main it was copied raw).
        let error = #expect(throws: LabelRegexError.self) { try LabelRegex("(?\u{1B}x)") }
        #expect(error?.kind == .unsupportedGroupSyntax(#"(?\x1bx"#))
        #expect(error.map { !"\($0)".unicodeScalars.contains { $0.value < 0x20 } } == true)
    }

    /// Cross-check against Python's `re.fullmatch` (a backtracking engine, independent of ours) on the
    /// shared syntax, when python3 is around.
    @Test func agreesWithPythonFullmatch() throws {
        let python = try requireToolPath("python3")
        var script = "import re,sys\n"
        for (pattern, value, _) in LabelRegexTests.table where !pattern.contains("{,") && !pattern.contains("(a*)*") {
            script += "print(1 if re.fullmatch(\(pythonString("(?s)" + pattern)), \(pythonString(value))) else 0)\n"
        }
        let result = try runCommand(python, ["-c", script])
        let answers = result.stdout.split(separator: "\n")
        var index = 0
        for (pattern, value, _) in LabelRegexTests.table where !pattern.contains("{,") && !pattern.contains("(a*)*") {
            let ours = try LabelRegex(pattern).matches(value)
            #expect((answers[index] == "1") == ours, "\(pattern) against \(value)")
            index += 1
        }
    }
}

/// User patterns are bounded before they recurse or allocate (issue 9).
@Suite struct LabelRegexLimitTests {
    @Test func deepGroupsAreAnError() throws {
        let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
        let message = errorMessage { _ = try LabelRegex(deep) }
        #expect(message?.contains("nested too deep") == true, "\(message ?? "compiled")")
        let atLimit =
            String(repeating: "(", count: LabelRegex.maximumNesting) + "a"
            + String(repeating: ")", count: LabelRegex.maximumNesting)
        #expect(try LabelRegex(atLimit).matches("a"))
    }

    @Test func multiplyingRepetitionsAreAnError() {
        // A billion instructions if compiled; refused by size before anything is emitted.
        let message = errorMessage { _ = try LabelRegex("((a{1000}){1000}){1000}") }
        #expect(message?.contains("too large") == true, "\(message ?? "compiled")")
    }

    @Test func longEmptyWidthChainsMatchWithoutRecursion() throws {
        // ~50k instructions, most of them splits that a value of "b" walks through without consuming:
        // the closure is followed with an explicit stack.
        let regex = try LabelRegex("((a?){100}){100}b")
        #expect(regex.matches("b"))
        #expect(regex.matches(String(repeating: "a", count: 300) + "b"))
        #expect(!regex.matches("c"))
    }
}
