/// The parsed form of a rule's `expr`: the PromQL subset the exporter evaluates itself.
///
/// Internal on purpose: the supported subset may grow, and only ``AlertingRule`` and the evaluator
/// need the tree; tests reach it through `@testable import`.
indirect enum Expression: Sendable, Equatable {
    /// A number literal (`0.5`, `1e3`, `Inf`, `0x1f`).
    case number(Double)
    /// `time()`: the evaluation time in Unix seconds (a scalar).
    case time
    /// An instant vector selector, `metric{label="x"}` or `{__name__=~"re"}`.
    case selector(VectorSelector)
    /// `-expr`.
    case negate(Expression)
    /// `sum by (queue) (expr)` and friends.
    case aggregate(AggregateOperator, Grouping?, Expression)
    /// `absent(expr)`: one element valued 1 when `expr` is empty, labels from its `=` matchers.
    case absent(Expression)
    /// Arithmetic, comparison or set operation.
    case binary(BinaryOperator, Expression, Expression, returnBool: Bool, matching: VectorMatching?)
    /// A function over a range vector selector, `rate(m[5m])` or `predict_linear(m[30m], 3600)`
    /// (the scalar argument only for `predict_linear`). Range vectors exist only as such arguments:
    /// subqueries are not supported, so a range vector is always a selector.
    case rangeFunction(RangeFunction, MatrixSelector, argument: Expression?)

    /// Whether the expression yields a scalar (no vector selector anywhere in it).
    var isScalar: Bool {
        switch self {
        case .number, .time: return true
        case .selector, .aggregate, .absent, .rangeFunction: return false
        case .negate(let inner): return inner.isScalar
        case .binary(_, let l, let r, _, _): return l.isScalar && r.isScalar
        }
    }

    /// Levels from this node to its deepest leaf (a leaf is 1). Recursive, so only called on trees
    /// the parser has already kept within ``ExpressionParser/maximumDepth``.
    var depth: Int {
        switch self {
        case .number, .time, .selector: return 1
        case .negate(let inner), .aggregate(_, _, let inner), .absent(let inner): return 1 + inner.depth
        case .rangeFunction(_, _, let argument): return 1 + max(1, argument?.depth ?? 0)
        case .binary(_, let l, let r, _, _): return 1 + max(l.depth, r.depth)
        }
    }
}

/// `metric{a="x", b=~"re"}`: the metric name becomes a `__name__` equality matcher.
struct VectorSelector: Sendable, Equatable {
    var matchers: [LabelMatcher]
}

/// `metric{…}[5m]`: the samples of the matching series in the last `range` seconds, both ends
/// included (as in Prometheus 2.x).
struct MatrixSelector: Sendable, Equatable {
    var selector: VectorSelector
    /// The window in seconds; positive and at most ``SeriesHistory/maximumRange``.
    var range: Double
}

/// The supported aggregation operators.
enum AggregateOperator: String, Sendable, Equatable, CaseIterable {
    case sum, min, max, avg, count
}

/// `by (a, b)` or `without (a, b)`.
struct Grouping: Sendable, Equatable {
    var without: Bool
    var labels: [String]
}

/// `on (a)` or `ignoring (a)` on a binary operation between two vectors.
struct VectorMatching: Sendable, Equatable {
    var on: Bool
    var labels: [String]
}

/// Binary operators, from loosest to tightest binding: `or`; `and`, `unless`; comparisons;
/// `+ -`; `* /`.
enum BinaryOperator: String, Sendable, Equatable {
    case or, and, unless
    case equal = "=="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"

    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual: return 3
        case .add, .subtract: return 4
        case .multiply, .divide: return 5
        }
    }

    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { precedence <= 2 }
}

extension Expression {
    /// Every range selector in the tree, so the history knows which series to keep and how long.
    /// Recursive like ``depth``: only called on trees the parser has bounded.
    var matrixSelectors: [MatrixSelector] {
        switch self {
        case .number, .time, .selector: return []
        case .negate(let inner), .aggregate(_, _, let inner), .absent(let inner): return inner.matrixSelectors
        case .binary(_, let l, let r, _, _): return l.matrixSelectors + r.matrixSelectors
        case .rangeFunction(_, let matrix, let argument): return [matrix] + (argument?.matrixSelectors ?? [])
        }
    }
}
