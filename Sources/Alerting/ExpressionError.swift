/// A rule expression that cannot be parsed, uses a construct outside the supported subset, or
/// fails at evaluation time. ``RuleLoader`` wraps parse errors in a ``RuleLoadError`` that adds the
/// file, group and rule; ``AlertEvaluator`` wraps evaluation errors in a ``RuleEvaluationError``.
///
/// Offsets are byte offsets into the `expr` text. Pieces of the expression a message quotes (a
/// token, a selector) are excerpts: one line, at most 64 characters, control characters escaped.
enum ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Lexer

    /// A character that cannot start a token.
    case unexpectedCharacter(String, offset: Int)
    /// `0x` without hexadecimal digits.
    case badHexadecimalNumber(offset: Int)
    /// Digits and dots that do not make a number (the excerpt of the token).
    case badNumber(String, offset: Int)
    /// A string without its closing quote (or with a newline inside double or single quotes).
    case unterminatedString(offset: Int)
    /// `\x`, `\u` or `\U` without enough hexadecimal digits.
    case invalidEscapeSequence(offset: Int)
    /// `\u` or `\U` naming no Unicode scalar.
    case invalidUnicodeEscape(offset: Int)
    /// An octal escape without three octal digits.
    case invalidOctalEscape(offset: Int)
    /// A backslash escape Go does not define (the escaped character).
    case unknownEscapeSequence(String, offset: Int)

    // MARK: Parser

    /// The token at `offset` (as described, e.g. `identifier "foo"`) cannot come here; `expected`
    /// names what could (nil: nothing is named, as for a stray duration).
    case syntax(offset: Int, unexpected: String, expected: String?)
    /// A construct outside the supported subset (e.g. `function holt_winters()`, `subquery m[5m:1m]`).
    case unsupported(String)
    /// The expression nests deeper than ``ExpressionParser/maximumDepth`` (the offset where it did).
    case tooDeep(offset: Int)
    /// `bool` after an operator that is not a comparison.
    case boolOnNonComparison
    /// `and`, `or` or `unless` with a scalar side.
    case setOperatorOnScalars(String)
    /// A comparison between two scalars without `bool`.
    case scalarComparisonWithoutBool
    /// `on`/`ignoring` where a side is a scalar.
    case vectorMatchingOnScalars
    /// A range selector outside a range function (the selector's excerpt).
    case rangeSelectorOutsideFunction(String)
    /// `time(…)` with arguments.
    case timeTakesNoArguments
    /// `absent()` with other than one argument.
    case absentTakesOneArgument
    /// An argument of the wrong type: `function` (without parentheses), the type expected and found.
    case argumentType(function: String, expected: String, got: String)
    /// A range function given an instant selector (its excerpt), so the message can show the fix.
    case missingRange(function: String, selector: String)
    /// Too few arguments (`got` of `expected`).
    case tooFewArguments(function: String, expected: Int, got: Int)
    /// More arguments than `expected`.
    case tooManyArguments(function: String, expected: Int)
    /// A range that is not a Prometheus duration: the duration's and the selector's excerpts.
    case badDuration(String, selector: String)
    /// A range of zero (the selector's excerpt).
    case rangeNotPositive(selector: String)
    /// A range longer than the history the exporter keeps (the selector's excerpt).
    case rangeTooLong(selector: String)
    /// A label matcher (as written, excerpted) whose regular expression does not compile.
    case invalidRegex(matcher: String, LabelRegexError)
    /// A selector whose matchers all match the empty string.
    case emptySelector
    /// A metric name both before the braces and as `__name__` (its excerpt).
    case metricNameTwice(String)
    /// An aggregation with more than one argument.
    case aggregateArgumentCount(String)
    /// An aggregation with `by`/`without` both before and after its argument.
    case aggregateTwoGroupings(String)
    /// An aggregation over a scalar.
    case aggregateOverScalar(String)

    // MARK: Evaluation

    /// A range function that would return two series with the same labels.
    case duplicateLabelset
    /// Two series on the right-hand side with the same matching labels.
    case manyToManyMatching
    /// Two series on the left-hand side matching the same right-hand series.
    case manyToOneMatching
    /// Two results of a rule with the same labels once the rule's labels are applied.
    case duplicateAlertLabelset

    /// The byte offset into the expression where the lexer or parser noticed, when the error has one.
    var offset: Int? {
        switch self {
        case .unexpectedCharacter(_, let offset), .badHexadecimalNumber(let offset), .badNumber(_, let offset),
            .unterminatedString(let offset), .invalidEscapeSequence(let offset), .invalidUnicodeEscape(let offset),
            .invalidOctalEscape(let offset), .unknownEscapeSequence(_, let offset), .syntax(let offset, _, _),
            .tooDeep(let offset):
            return offset
        default: return nil
        }
    }

    /// One line: what is wrong and, for unsupported constructs, the whole supported subset.
    var description: String {
        switch self {
        case .unexpectedCharacter(let character, let offset):
            return "unexpected character '\(character)' at offset \(offset)"
        case .badHexadecimalNumber(let offset): return "bad hexadecimal number at offset \(offset)"
        case .badNumber(let text, let offset): return "bad number '\(text)' at offset \(offset)"
        case .unterminatedString(let offset): return "unterminated string at offset \(offset)"
        case .invalidEscapeSequence(let offset): return "invalid escape sequence in string at offset \(offset)"
        case .invalidUnicodeEscape(let offset): return "invalid Unicode escape in string at offset \(offset)"
        case .invalidOctalEscape(let offset): return "invalid octal escape in string at offset \(offset)"
        case .unknownEscapeSequence(let escaped, let offset):
            return "unknown escape sequence '\\\(escaped)' at offset \(offset)"
        case .syntax(let offset, let unexpected, let expected):
            return "syntax error at offset \(offset): unexpected \(unexpected)"
                + (expected.map { ", expected \($0)" } ?? "")
        case .unsupported(let construct):
            return
                "\(construct) is not supported by celery-redis-exporter's rule evaluator (\(ExpressionError.supportedList))"
        case .tooDeep(let offset):
            return "expression nesting too deep at offset \(offset) (at most \(ExpressionParser.maximumDepth) levels)"
        case .boolOnNonComparison: return "bool modifier can only be used on comparison operators"
        case .setOperatorOnScalars(let op): return "set operator \(op) not allowed in binary scalar expression"
        case .scalarComparisonWithoutBool: return "comparisons between scalars must use BOOL modifier"
        case .vectorMatchingOnScalars: return "vector matching only allowed between instant vectors"
        case .rangeSelectorOutsideFunction(let selector):
            return "range vector selector \(selector) can only be the argument of a "
                + "range function such as rate() (an alert expression must be an instant vector)"
        case .timeTakesNoArguments: return "time() takes no arguments"
        case .absentTakesOneArgument: return "absent() takes exactly one argument"
        case .argumentType(let function, let expected, let got):
            return "expected type \(expected) in call to function \(function)(), got \(got)"
        case .missingRange(let function, let selector):
            return "expected type range vector in call to function \(function)(), got instant vector "
                + "(add a range: \(selector)[5m])"
        case .tooFewArguments(let function, let expected, let got):
            return "expected \(expected) arguments in call to function \(function)(), got \(got)"
        case .tooManyArguments(let function, let expected):
            return
                "expected \(expected) argument\(expected == 1 ? "" : "s") in call to function \(function)(), got more"
        case .badDuration(let duration, let selector): return "bad duration \"\(duration)\" in \(selector)"
        case .rangeNotPositive(let selector): return "range of \(selector) must be greater than 0"
        case .rangeTooLong(let selector):
            return "range of \(selector) is longer than the 1h of samples the exporter keeps for its rules "
                + "(use Prometheus for longer windows)"
        case .invalidRegex(let matcher, let error):
            return "in matcher \(matcher): invalid regular expression: \(error.problem)"
        case .emptySelector: return "vector selector must contain at least one non-empty matcher"
        case .metricNameTwice(let name): return "metric name must not be set twice: \"\(name)\""
        case .aggregateArgumentCount(let op): return "wrong number of arguments for aggregate expression \(op)"
        case .aggregateTwoGroupings(let op): return "aggregation \(op) has two grouping clauses"
        case .aggregateOverScalar(let op):
            return "expected type instant vector in aggregation expression \(op), got scalar"
        case .duplicateLabelset: return "vector cannot contain metrics with the same labelset"
        case .manyToManyMatching:
            return "found duplicate series for the match group on the right hand-side of the operation "
                + "(many-to-many matching not allowed: matching labels must be unique on one side)"
        case .manyToOneMatching:
            return "found duplicate series for the match group on the left hand-side of the operation "
                + "(multiple matches for labels: many-to-one matching must be explicit)"
        case .duplicateAlertLabelset:
            return "vector contains metrics with the same labelset after applying alert labels"
        }
    }

    /// What every "not supported" message lists, so users see the whole subset in one place.
    static let supportedList: String = {
        let functions: String = RangeFunction.allCases.map { $0.rawValue + "()" }.joined(separator: ", ")
        let instant: String =
            "supported: instant vector selectors with = != =~ !~, number literals, + - * / and comparisons, "
            + "and/or/unless with on/ignoring, sum/min/max/avg/count with by/without, absent(), time()"
        return instant + ", and over a range selector (m[5m], at most 1h): " + functions
    }()
}
