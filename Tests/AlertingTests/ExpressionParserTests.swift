import Testing

@testable import Alerting

@Suite struct ExpressionParserTests {
    private func selector(_ name: String, _ extra: [LabelMatcher] = []) throws -> Expression {
        .selector(VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: name)] + extra))
    }

    @Test func parsesSelectorsWithEveryMatcher() throws {
        let parsed = try ExpressionParser.parse(#"m{a="x", b!="y", c=~"re.*", d!~'z', }"#)
        #expect(
            parsed
                == (try selector(
                    "m",
                    [
                        LabelMatcher(name: "a", op: .equal, value: "x"),
                        LabelMatcher(name: "b", op: .notEqual, value: "y"),
                        LabelMatcher(name: "c", op: .regexMatch, value: "re.*"),
                        LabelMatcher(name: "d", op: .regexNoMatch, value: "z"),
                    ])))
        #expect(
            try ExpressionParser.parse(#"{__name__=~"celery_redis_.+"}"#)
                == .selector(
                    VectorSelector(matchers: [
                        try LabelMatcher(name: "__name__", op: .regexMatch, value: "celery_redis_.+")
                    ])))
        #expect(try ExpressionParser.parse("celery:queue_length:sum") == (try selector("celery:queue_length:sum")))
        // Go string escapes and raw strings.
        #expect(
            try ExpressionParser.parse(#"m{a="\"q\"\n", b=`\d+`}"#)
                == (try selector(
                    "m",
                    [
                        LabelMatcher(name: "a", op: .equal, value: "\"q\"\n"),
                        LabelMatcher(name: "b", op: .equal, value: "\\d+"),
                    ])))
    }

    @Test func parsesNumbers() throws {
        #expect(try ExpressionParser.parse("1e3") == .number(1000))
        #expect(try ExpressionParser.parse(".5") == .number(0.5))
        #expect(try ExpressionParser.parse("0x1F") == .number(31))
        #expect(try ExpressionParser.parse("-Inf") == .number(-.infinity))
        #expect(try ExpressionParser.parse("time()") == .time)
    }

    @Test func comparisonWithScalarOnEitherSideAndBool() throws {
        let m = try selector("m")
        #expect(
            try ExpressionParser.parse("m > 5") == .binary(.greater, m, .number(5), returnBool: false, matching: nil))
        #expect(
            try ExpressionParser.parse("5 <= m")
                == .binary(.lessOrEqual, .number(5), m, returnBool: false, matching: nil))
        #expect(
            try ExpressionParser.parse("m == bool 1") == .binary(.equal, m, .number(1), returnBool: true, matching: nil)
        )
        #expect(
            try ExpressionParser.parse("1 != bool 2")
                == .binary(.notEqual, .number(1), .number(2), returnBool: true, matching: nil))
    }

    @Test func precedenceFollowsPromQL() throws {
        let (a, b, c) = (try selector("a"), try selector("b"), try selector("c"))
        // or < and < comparison < + < *
        #expect(
            try ExpressionParser.parse("a or b and c")
                == .binary(
                    .or, a, .binary(.and, b, c, returnBool: false, matching: nil), returnBool: false, matching: nil))
        #expect(
            try ExpressionParser.parse("a + b * 2 > 3")
                == .binary(
                    .greater,
                    .binary(
                        .add, a, .binary(.multiply, b, .number(2), returnBool: false, matching: nil), returnBool: false,
                        matching: nil),
                    .number(3), returnBool: false, matching: nil))
        // left associativity
        #expect(
            try ExpressionParser.parse("a - b - c")
                == .binary(
                    .subtract, .binary(.subtract, a, b, returnBool: false, matching: nil), c, returnBool: false,
                    matching: nil))
        #expect(
            try ExpressionParser.parse("(a or b) and c")
                == .binary(
                    .and, .binary(.or, a, b, returnBool: false, matching: nil), c, returnBool: false, matching: nil))
        #expect(
            try ExpressionParser.parse("-a * 2")
                == .binary(.multiply, .negate(a), .number(2), returnBool: false, matching: nil))
    }

    @Test func aggregationsWithPrefixAndSuffixGrouping() throws {
        let m = try selector("m")
        #expect(try ExpressionParser.parse("sum(m)") == .aggregate(.sum, nil, m))
        #expect(
            try ExpressionParser.parse("sum by (queue) (m)")
                == .aggregate(.sum, Grouping(without: false, labels: ["queue"]), m))
        #expect(
            try ExpressionParser.parse("max(m) by (queue, le)")
                == .aggregate(.max, Grouping(without: false, labels: ["queue", "le"]), m))
        #expect(
            try ExpressionParser.parse("count without (worker) (m)")
                == .aggregate(.count, Grouping(without: true, labels: ["worker"]), m))
        #expect(try ExpressionParser.parse("AVG(m)") == .aggregate(.avg, nil, m))
        #expect(
            try ExpressionParser.parse("min(m) > 0")
                == .binary(.greater, .aggregate(.min, nil, m), .number(0), returnBool: false, matching: nil))
    }

    @Test func setOperatorsWithMatching() throws {
        let (a, b) = (try selector("a"), try selector("b"))
        #expect(
            try ExpressionParser.parse("a and on() b")
                == .binary(.and, a, b, returnBool: false, matching: VectorMatching(on: true, labels: [])))
        #expect(
            try ExpressionParser.parse("a unless ignoring(worker) b")
                == .binary(.unless, a, b, returnBool: false, matching: VectorMatching(on: false, labels: ["worker"])))
        #expect(
            try ExpressionParser.parse("absent(up{job=\"x\"})")
                == .absent(try selector("up", [LabelMatcher(name: "job", op: .equal, value: "x")])))
    }

    @Test func parsesRangeFunctions() throws {
        let m = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: "m")])
        #expect(
            try ExpressionParser.parse("rate(m[5m])")
                == .rangeFunction(.rate, MatrixSelector(selector: m, range: 300), argument: nil))
        let q = VectorSelector(matchers: [
            try LabelMatcher(name: "__name__", op: .equal, value: "q"),
            try LabelMatcher(name: "a", op: .regexMatch, value: "x|y"),
        ])
        #expect(
            try ExpressionParser.parse("predict_linear(q{a=~\"x|y\"}[1h], 2 * 1800) > 0")
                == .binary(
                    .greater,
                    .rangeFunction(
                        .predictLinear, MatrixSelector(selector: q, range: 3600),
                        argument: .binary(.multiply, .number(2), .number(1800), returnBool: false, matching: nil)),
                    .number(0), returnBool: false, matching: nil))
        let byName = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .regexMatch, value: "a|b")])
        #expect(
            try ExpressionParser.parse("absent_over_time({__name__=~\"a|b\"}[90s])")
                == .rangeFunction(.absentOverTime, MatrixSelector(selector: byName, range: 90), argument: nil))
        for function in RangeFunction.allCases {
            let text = function.takesScalar ? "\(function.rawValue)(m[1m], 60)" : "\(function.rawValue)(m[1m])"
            guard case .rangeFunction(let parsed, _, _) = try ExpressionParser.parse(text) else {
                Issue.record("\(text) did not parse as a range function")
                continue
            }
            #expect(parsed == function)
        }
        // Every range selector is found, so the history records what the rules need.
        #expect(
            try ExpressionParser.parse("rate(m[5m]) / deriv(q{a=~\"x|y\"}[1h]) and absent(m)").matrixSelectors
                == [MatrixSelector(selector: m, range: 300), MatrixSelector(selector: q, range: 3600)])
    }

    /// Every unsupported construct is named in the error.
    @Test(arguments: [
        (
            "holt_winters(m[5m], 0.1, 0.1)",
            "function holt_winters() is not supported by celery-redis-exporter's rule evaluator (supported:"
        ),
        ("quantile_over_time(0.5, m[1h])", "function quantile_over_time()"),
        ("m offset 5m", "offset modifier (offset 5m) is not supported"),
        ("m @ 100", "@ modifier (@ 100) is not supported"),
        ("rate(m[5m] offset 1m)", "offset modifier (offset 1m) is not supported"),
        ("max_over_time(m[5m:1m])", "subquery m[5m:1m] is not supported"),
        ("(m)[5m:1m]", "subquery [5m:1m] is not supported"),
        ("topk(3, m)", "aggregation topk is not supported"),
        ("quantile(0.9, m)", "aggregation quantile is not supported"),
        ("m % 2", "operator % is not supported"),
        ("m ^ 2", "operator ^ is not supported"),
        ("a * on(x) group_left b", "many-to-one matching (group_left) is not supported"),
        ("label_replace(m, \"a\", \"b\", \"c\", \"d\")", "function label_replace()"),
        ("\"text\"", "string literal \"text\" as an expression is not supported"),
    ])
    func namesUnsupportedConstructs(_ expr: String, _ fragment: String) {
        let message = errorMessage { _ = try ExpressionParser.parse(expr) }
        #expect(message?.contains(fragment) == true, "\(expr): \(message ?? "no error")")
    }

    @Test(arguments: [
        ("m >", "unexpected end of input, expected an expression"),
        ("m{a=\"x\"", "expected \",\" or \"}\""),
        ("m{a}", "label matching operator"),
        ("{a=~\".*\"}", "at least one non-empty matcher"),
        ("1 > 2", "comparisons between scalars must use BOOL modifier"),
        ("m + bool 1", "bool modifier can only be used on comparison operators"),
        ("1 and m", "set operator and not allowed in binary scalar expression"),
        ("sum(1)", "expected type instant vector in aggregation expression"),
        ("absent(1)", "expected type instant vector in call to function absent()"),
        ("m[5m]", "range vector selector m[5m] can only be the argument of a range function"),
        ("rate(m)", "expected type range vector in call to function rate(), got instant vector"),
        ("rate(sum(m))", "expected type range vector in call to function rate(), got instant vector"),
        ("rate(1)", "expected type range vector in call to function rate(), got scalar"),
        ("rate(m[5m], 1)", "expected 1 argument in call to function rate(), got more"),
        ("predict_linear(m[5m])", "expected 2 arguments in call to function predict_linear(), got 1"),
        ("predict_linear(m[5m], m)", "expected type scalar in call to function predict_linear(), got instant vector"),
        ("rate(m[0s])", "range of m[0s] must be greater than 0"),
        ("rate(m[61m])", "range of m[61m] is longer than the 1h of samples the exporter keeps"),
        ("rate(m[5x])", "syntax error"),
        ("m{a=~\"(?i)x\"}", "unsupported group syntax"),
        ("sum by (a) (m) by (b)", "two grouping clauses"),
        ("m m", "expected end of expression"),
        ("m{a=\"x}", "unterminated string"),
    ])
    func reportsSyntaxErrors(_ expr: String, _ fragment: String) {
        let message = errorMessage { _ = try ExpressionParser.parse(expr) }
        #expect(message?.contains(fragment) == true, "\(expr): \(message ?? "no error")")
    }
}

/// Hostile nesting ends in an error, never in a stack overflow (issue 9): parentheses, unary signs,
/// aggregation arguments and left-nested operator chains all count.
@Suite struct ExpressionNestingLimitTests {
    static let depth = 100_000

    @Test(arguments: [
        String(repeating: "(", count: depth) + "up" + String(repeating: ")", count: depth),
        String(repeating: "-", count: depth) + "up",
        String(repeating: "sum(", count: depth) + "up" + String(repeating: ")", count: depth),
        String(repeating: "absent(", count: depth) + "up" + String(repeating: ")", count: depth),
        "predict_linear(up[5m], " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
            + ")",
        "predict_linear(up[5m], " + String(repeating: "-", count: depth) + "1)",
        String(repeating: "sum(", count: depth) + "rate(up[5m])" + String(repeating: ")", count: depth),
        "up" + String(repeating: " + up", count: depth),
        "up" + String(repeating: " or up", count: depth),
    ])
    func deepNestingIsAnError(_ text: String) {
        let message = errorMessage { _ = try ExpressionParser.parse(text) }
        #expect(message?.contains("nesting too deep") == true, "\(message ?? "parsed")")
        #expect(message?.contains("at most \(ExpressionParser.maximumDepth) levels") == true)
    }

    @Test func theLimitItselfParsesAndEvaluates() throws {
        // maximumDepth levels of tree: a chain of maximumDepth - 1 additions over one selector.
        let limit = ExpressionParser.maximumDepth
        let chain = "x" + String(repeating: " + 1", count: limit - 1)
        #expect(try ExpressionParser.parse(chain).depth == limit)
        #expect(try evaluate(chain, [gauge("x", [([:], 1)])]).map(\.value) == [Double(limit)])
        #expect(errorMessage { _ = try ExpressionParser.parse(chain + " + 1") }?.contains("nesting too deep") == true)
        // Parentheses alone add no tree level but do recurse: the same bound applies.
        let parens = String(repeating: "(", count: limit - 1) + "x" + String(repeating: ")", count: limit - 1)
        #expect(try evaluate(parens, [gauge("x", [([:], 3)])]).map(\.value) == [3])
        let deeper = "(" + parens + ")"
        #expect(errorMessage { _ = try ExpressionParser.parse(deeper) }?.contains("nesting too deep") == true)
    }
}
