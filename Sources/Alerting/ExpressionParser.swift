/// Parses the supported PromQL subset into an ``Expression``, and names any construct outside it
/// (subqueries, `offset`, `@`, `topk`, `group_left`, `%`, `^`…) in the error, so a rule file
/// Prometheus would accept but we cannot evaluate fails at load time instead of never firing.
///
/// Precedence is PromQL's: `or` < `and`/`unless` < comparisons < `+ -` < `* /` < unary minus;
/// all binary operators are left-associative.
///
/// Nesting is bounded by ``maximumDepth``, both the parser's own recursion (parentheses, unary
/// signs, function and aggregation arguments) and the depth of the tree it builds (a chain like
/// `a + b + c …` nests to the left), so a hostile or generated expression ends in an error instead
/// of exhausting the stack here, in the evaluator or when the tree is freed.
struct ExpressionParser {
    /// Deepest nesting accepted; real rules nest a handful of levels. Deep enough for any hand-written
    /// rule, shallow enough that the recursive evaluator stays far inside a thread's stack.
    static let maximumDepth = 128

    private let text: String
    private let tokens: [ExpressionToken]
    private var position = 0
    /// How deep the recursive descent is right now.
    private var nesting = 0

    static let unsupportedAggregations: Set<String> = [
        "topk", "bottomk", "quantile", "stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio",
    ]

    /// Parses a whole expression.
    static func parse(_ text: String) throws(ExpressionError) -> Expression {
        var parser = ExpressionParser(text: text, tokens: try ExpressionLexer.tokenize(text))
        let expression = try parser.parseBinary(minimumPrecedence: 1)
        guard parser.current.kind == .end else { throw parser.unexpected("end of expression") }
        return expression
    }

    private init(text: String, tokens: [ExpressionToken]) {
        self.text = text
        self.tokens = tokens
    }

    private var current: ExpressionToken { tokens[position] }

    private mutating func advance() -> ExpressionToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    /// The expression text between two offsets, as an excerpt: messages stay one short line.
    private func source(_ from: Int, _ to: Int) -> String {
        String(decoding: Array(text.utf8)[from..<to], as: UTF8.self).printableExcerpt
    }

    private func describe(_ token: ExpressionToken) -> String {
        switch token.kind {
        case .end: return "end of input"
        case .identifier(let s): return "identifier \"\(s.printableExcerpt)\""
        case .number: return "number \"\(source(token.offset, token.endOffset))\""
        case .duration(let s): return "duration \"\(s.printableExcerpt)\""
        case .string: return "string \(source(token.offset, token.endOffset))"
        case .punctuation(let s), .symbol(let s): return "\"\(s)\""
        }
    }

    private func unexpected(_ expected: String) -> ExpressionError {
        .syntax(offset: current.offset, unexpected: describe(current), expected: expected)
    }

    private mutating func expect(punctuation: String) throws(ExpressionError) {
        guard current.kind == .punctuation(punctuation) else { throw unexpected("\"\(punctuation)\"") }
        _ = advance()
    }

    private func isKeyword(_ word: String) -> Bool {
        if case .identifier(let s) = current.kind, s.lowercased() == word { return true }
        return false
    }

    // MARK: Binary operators

    private mutating func peekOperator() throws(ExpressionError) -> BinaryOperator? {
        switch current.kind {
        case .symbol(let op):
            if let binary = BinaryOperator(rawValue: op) { return binary }
            if op == "%" || op == "^" { throw ExpressionError.unsupported("operator \(op)") }
            return nil
        case .identifier(let word):
            switch word.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": throw ExpressionError.unsupported("operator atan2")
            default: return nil
            }
        default: return nil
        }
    }

    /// Fails once the recursive descent or the tree being built is deeper than ``maximumDepth``.
    private mutating func enter() throws(ExpressionError) {
        nesting += 1
        guard nesting <= ExpressionParser.maximumDepth else { throw tooDeep(at: current.offset) }
    }

    private func tooDeep(at offset: Int) -> ExpressionError {
        .tooDeep(offset: offset)
    }

    /// Checks the depth of a node about to be built from `children`, before it exists.
    private func checkDepth(_ children: Expression..., at offset: Int) throws(ExpressionError) {
        let depth = 1 + (children.map(\.depth).max() ?? 0)
        guard depth <= ExpressionParser.maximumDepth else { throw tooDeep(at: offset) }
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws(ExpressionError) -> Expression {
        try enter()
        defer { nesting -= 1 }
        var lhs = try parseUnary()
        while let op = try peekOperator(), op.precedence >= minimumPrecedence {
            let operatorOffset = current.offset
            _ = advance()
            var returnBool = false
            if isKeyword("bool") {
                guard op.isComparison else {
                    throw ExpressionError.boolOnNonComparison
                }
                _ = advance()
                returnBool = true
            }
            var matching: VectorMatching? = nil
            if isKeyword("on") || isKeyword("ignoring") {
                let on = isKeyword("on")
                _ = advance()
                matching = VectorMatching(on: on, labels: try parseLabelList())
                if isKeyword("group_left") || isKeyword("group_right") {
                    let word = describe(current)
                    throw ExpressionError.unsupported("many-to-one matching (\(word.replacingQuotes()))")
                }
            } else if isKeyword("group_left") || isKeyword("group_right") {
                throw ExpressionError.unsupported("many-to-one matching (\(describe(current).replacingQuotes()))")
            }
            let rhs = try parseBinary(minimumPrecedence: op.precedence + 1)
            try checkDepth(lhs, rhs, at: operatorOffset)
            lhs = try makeBinary(op, lhs, rhs, returnBool: returnBool, matching: matching)
        }
        return lhs
    }

    private func makeBinary(
        _ op: BinaryOperator, _ lhs: Expression, _ rhs: Expression, returnBool: Bool, matching: VectorMatching?
    ) throws(ExpressionError) -> Expression {
        if op.isSetOperator && (lhs.isScalar || rhs.isScalar) {
            throw ExpressionError.setOperatorOnScalars(op.rawValue)
        }
        if op.isComparison && lhs.isScalar && rhs.isScalar && !returnBool {
            throw ExpressionError.scalarComparisonWithoutBool
        }
        if matching != nil && (lhs.isScalar || rhs.isScalar) {
            throw ExpressionError.vectorMatchingOnScalars
        }
        return .binary(op, lhs, rhs, returnBool: returnBool, matching: matching)
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        if current.kind == .symbol("-") {
            let offset = current.offset
            try enter()
            defer { nesting -= 1 }
            _ = advance()
            let inner = try parseUnary()
            if case .number(let n) = inner { return .number(-n) }
            try checkDepth(inner, at: offset)
            return .negate(inner)
        }
        if current.kind == .symbol("+") {
            try enter()
            defer { nesting -= 1 }
            _ = advance()
            return try parseUnary()
        }
        return try parsePostfix(try parsePrimary())
    }

    /// Rejects what may follow a primary expression in full PromQL: ranges, subqueries, offset, `@`.
    private mutating func parsePostfix(_ expression: Expression) throws(ExpressionError) -> Expression {
        let start = current.offset
        if current.kind == .punctuation("[") {
            var depth = 0
            var isSubquery = false
            repeat {
                if current.kind == .punctuation("[") { depth += 1 }
                if current.kind == .punctuation("]") { depth -= 1 }
                if current.kind == .punctuation(":") { isSubquery = true }
                if current.kind == .end { break }
                _ = advance()
            } while depth > 0
            let end = tokens[max(position - 1, 0)].endOffset
            if case .selector = expression, !isSubquery {
                throw ExpressionError.rangeSelectorOutsideFunction(source(lastSelectorStart, end))
            }
            throw ExpressionError.unsupported("subquery \(source(start, end))")
        }
        if isKeyword("offset") {
            _ = advance()
            let end = current.endOffset
            throw ExpressionError.unsupported("offset modifier (\(source(start, end)))")
        }
        if current.kind == .punctuation("@") {
            _ = advance()
            let end = current.endOffset
            throw ExpressionError.unsupported("@ modifier (\(source(start, end)))")
        }
        return expression
    }

    /// Where the latest selector started, so a range error can quote `metric[5m]` whole.
    private var lastSelectorStart = 0

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let n):
            _ = advance()
            return .number(n)
        case .duration(let d):
            throw ExpressionError.syntax(
                offset: token.offset, unexpected: "duration \"\(d.printableExcerpt)\"", expected: nil)
        case .string:
            throw ExpressionError.unsupported(
                "string literal \(source(token.offset, token.endOffset)) as an expression")
        case .punctuation("("):
            _ = advance()
            let inner = try parseBinary(minimumPrecedence: 1)
            try expect(punctuation: ")")
            return inner
        case .punctuation("{"):
            lastSelectorStart = token.offset
            return .selector(try parseSelector(name: nil))
        case .identifier(let name):
            let lower = name.lowercased()
            let next = tokens[min(position + 1, tokens.count - 1)].kind
            if let aggregate = AggregateOperator(rawValue: lower) {
                return try parseAggregate(aggregate)
            }
            if ExpressionParser.unsupportedAggregations.contains(lower) {
                throw ExpressionError.unsupported("aggregation \(lower)")
            }
            if next == .punctuation("(") {
                if name == "time" {
                    _ = advance()
                    _ = advance()
                    guard current.kind == .punctuation(")") else {
                        throw ExpressionError.timeTakesNoArguments
                    }
                    _ = advance()
                    return .time
                }
                if lower == "absent" {
                    _ = advance()
                    _ = advance()
                    let argument = try parseBinary(minimumPrecedence: 1)
                    if current.kind == .punctuation(",") {
                        throw ExpressionError.absentTakesOneArgument
                    }
                    try expect(punctuation: ")")
                    if argument.isScalar {
                        throw ExpressionError.argumentType(
                            function: "absent", expected: "instant vector", got: "scalar")
                    }
                    try checkDepth(argument, at: token.offset)
                    return .absent(argument)
                }
                if let function = RangeFunction(rawValue: name) {
                    return try parseRangeFunction(function, at: token.offset)
                }
                throw ExpressionError.unsupported("function \(name.printableExcerpt)()")
            }
            let keywords: Set<String> = [
                "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
                "and", "or", "unless", "atan2",
            ]
            if keywords.contains(lower) { throw unexpected("an expression") }
            lastSelectorStart = token.offset
            _ = advance()
            var matchers: [LabelMatcher] = [LabelMatcher(name: "__name__", equalTo: name)]
            if current.kind == .punctuation("{") {
                matchers += try parseSelector(name: name).matchers.dropFirst()
            }
            return .selector(VectorSelector(matchers: matchers))
        default:
            throw unexpected("an expression")
        }
    }

    /// Parses `f(selector[range])` or `predict_linear(selector[range], scalar)`, the current token
    /// being the function name. Only a selector can carry a range (no subqueries), so anything else
    /// as the first argument is a type error, named as Prometheus names it.
    private mutating func parseRangeFunction(_ function: RangeFunction, at offset: Int) throws(ExpressionError)
        -> Expression
    {
        try enter()
        defer { nesting -= 1 }
        _ = advance()
        _ = advance()
        let name = function.rawValue
        let matrix: MatrixSelector
        if case .punctuation("{") = current.kind {
            matrix = try parseMatrixSelector(function)
        } else if case .identifier(let word) = current.kind, isPlainSelectorName(word) {
            matrix = try parseMatrixSelector(function)
        } else {
            let argument = try parseBinary(minimumPrecedence: 1)
            let type = argument.isScalar ? "scalar" : "instant vector"
            throw ExpressionError.argumentType(function: name, expected: "range vector", got: type)
        }
        var argument: Expression? = nil
        if function.takesScalar {
            guard current.kind == .punctuation(",") else {
                throw ExpressionError.tooFewArguments(function: name, expected: 2, got: 1)
            }
            _ = advance()
            let scalar = try parseBinary(minimumPrecedence: 1)
            guard scalar.isScalar else {
                throw ExpressionError.argumentType(function: name, expected: "scalar", got: "instant vector")
            }
            try checkDepth(scalar, at: offset)
            argument = scalar
        }
        if current.kind == .punctuation(",") {
            let expected = function.takesScalar ? 2 : 1
            throw ExpressionError.tooManyArguments(function: name, expected: expected)
        }
        try expect(punctuation: ")")
        return .rangeFunction(function, matrix, argument: argument)
    }

    /// Whether an identifier starts a selector (not a function, aggregation or keyword).
    private func isPlainSelectorName(_ word: String) -> Bool {
        let next = tokens[min(position + 1, tokens.count - 1)].kind
        let lower = word.lowercased()
        return next != .punctuation("(") && AggregateOperator(rawValue: lower) == nil
            && !ExpressionParser.unsupportedAggregations.contains(lower)
            && ![
                "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or",
                "unless", "atan2",
            ].contains(lower)
    }

    /// `metric{…}[range]`: a selector, then a duration in brackets, then no offset or `@`.
    private mutating func parseMatrixSelector(_ function: RangeFunction) throws(ExpressionError) -> MatrixSelector {
        let start = current.offset
        guard case .selector(let selector) = try parsePrimary() else { throw unexpected("a selector") }
        guard current.kind == .punctuation("[") else {
            if isKeyword("offset") || current.kind == .punctuation("@") { return try rejectModifier(from: start) }
            throw ExpressionError.missingRange(
                function: function.rawValue, selector: source(start, tokens[max(position - 1, 0)].endOffset))
        }
        _ = advance()
        guard case .duration(let text) = current.kind else { throw unexpected("a duration such as 5m") }
        _ = advance()
        if current.kind == .punctuation(":") {
            while current.kind != .punctuation("]") && current.kind != .end { _ = advance() }
            let end = current.endOffset
            _ = advance()
            throw ExpressionError.unsupported("subquery \(source(start, end))")
        }
        try expect(punctuation: "]")
        let quoted = source(start, tokens[max(position - 1, 0)].endOffset)
        guard let range = PrometheusDuration.parse(text) else {
            throw ExpressionError.badDuration(text.printableExcerpt, selector: quoted)
        }
        guard range > 0 else { throw ExpressionError.rangeNotPositive(selector: quoted) }
        guard range <= SeriesHistory.maximumRange else {
            throw ExpressionError.rangeTooLong(selector: quoted)
        }
        if isKeyword("offset") || current.kind == .punctuation("@") { return try rejectModifier(from: start) }
        return MatrixSelector(selector: selector, range: range)
    }

    private mutating func rejectModifier(from start: Int) throws(ExpressionError) -> MatrixSelector {
        let what = isKeyword("offset") ? "offset modifier" : "@ modifier"
        let from = current.offset
        _ = advance()
        throw ExpressionError.unsupported("\(what) (\(source(from, current.endOffset)))")
    }

    /// Parses `{…}`; when `name` is set the result starts with its `__name__` matcher.
    private mutating func parseSelector(name: String?) throws(ExpressionError) -> VectorSelector {
        try expect(punctuation: "{")
        var matchers: [LabelMatcher] = []
        if let name { matchers.append(LabelMatcher(name: "__name__", equalTo: name)) }
        while current.kind != .punctuation("}") {
            guard case .identifier(let label) = current.kind else { throw unexpected("label name or \"}\"") }
            _ = advance()
            let op: LabelMatcher.Operator
            switch current.kind {
            case .symbol("="): op = .equal
            case .symbol("!="): op = .notEqual
            case .symbol("=~"): op = .regexMatch
            case .symbol("!~"): op = .regexNoMatch
            default: throw unexpected("label matching operator (=, !=, =~, !~)")
            }
            _ = advance()
            guard case .string(let value) = current.kind else { throw unexpected("quoted label value") }
            _ = advance()
            do {
                matchers.append(try LabelMatcher(name: label, op: op, value: value))
            } catch {
                throw ExpressionError.invalidRegex(
                    matcher: "\(label.printableExcerpt)\(op.rawValue)\"\(value.printableExcerpt)\"", error)
            }
            if current.kind == .punctuation(",") {
                _ = advance()
            } else if current.kind != .punctuation("}") {
                throw unexpected("\",\" or \"}\"")
            }
        }
        _ = advance()
        if name == nil && matchers.allSatisfy({ $0.matches([:]) }) {
            throw ExpressionError.emptySelector
        }
        if matchers.filter({ $0.name == "__name__" }).count > 1 && name != nil {
            throw ExpressionError.metricNameTwice(name!.printableExcerpt)
        }
        return VectorSelector(matchers: matchers)
    }

    private mutating func parseLabelList() throws(ExpressionError) -> [String] {
        try expect(punctuation: "(")
        var labels: [String] = []
        while current.kind != .punctuation(")") {
            guard case .identifier(let label) = current.kind else { throw unexpected("label name or \")\"") }
            labels.append(label)
            _ = advance()
            if current.kind == .punctuation(",") {
                _ = advance()
            } else if current.kind != .punctuation(")") {
                throw unexpected("\",\" or \")\"")
            }
        }
        _ = advance()
        return labels
    }

    private mutating func parseGrouping() throws(ExpressionError) -> Grouping? {
        if isKeyword("by") || isKeyword("without") {
            let without = isKeyword("without")
            _ = advance()
            return Grouping(without: without, labels: try parseLabelList())
        }
        return nil
    }

    private mutating func parseAggregate(_ op: AggregateOperator) throws(ExpressionError) -> Expression {
        let offset = current.offset
        _ = advance()
        var grouping = try parseGrouping()
        guard current.kind == .punctuation("(") else { throw unexpected("\"(\" after \(op.rawValue)") }
        _ = advance()
        let argument = try parseBinary(minimumPrecedence: 1)
        if current.kind == .punctuation(",") {
            throw ExpressionError.aggregateArgumentCount(op.rawValue)
        }
        try expect(punctuation: ")")
        if let suffix = try parseGrouping() {
            if grouping != nil { throw ExpressionError.aggregateTwoGroupings(op.rawValue) }
            grouping = suffix
        }
        if argument.isScalar {
            throw ExpressionError.aggregateOverScalar(op.rawValue)
        }
        try checkDepth(argument, at: offset)
        return .aggregate(op, grouping, argument)
    }
}

extension String {
    fileprivate func replacingQuotes() -> String { filter { $0 != "\"" }.replacingPrefix("identifier ") }
    fileprivate func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
