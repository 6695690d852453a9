/// A rule expression that cannot be parsed or uses a construct outside the supported subset.
/// ``RuleLoader`` wraps it in a ``RuleLoadError`` that adds the file, group and rule.
struct ExpressionError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }

    /// What every "not supported" message lists, so users see the whole subset in one place.
    static let supportedList: String = {
        let functions: String = RangeFunction.allCases.map { $0.rawValue + "()" }.joined(separator: ", ")
        let instant: String =
            "supported: instant vector selectors with = != =~ !~, number literals, + - * / and comparisons, "
            + "and/or/unless with on/ignoring, sum/min/max/avg/count with by/without, absent(), time()"
        return instant + ", and over a range selector (m[5m], at most 1h): " + functions
    }()

    static func unsupported(_ construct: String) -> ExpressionError {
        ExpressionError(
            message: "\(construct) is not supported by celery-redis-exporter's rule evaluator (\(supportedList))")
    }
}
