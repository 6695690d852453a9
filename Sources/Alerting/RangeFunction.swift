/// The PromQL functions over a range vector that the rule evaluator implements, with Prometheus
/// 2.42's semantics (`promql/functions.go`): the version Debian ships and the tests compare with.
enum RangeFunction: String, Sendable, Equatable, CaseIterable {
    case rate, increase, delta, irate, idelta, deriv, changes, resets
    case predictLinear = "predict_linear"
    case avgOverTime = "avg_over_time"
    case minOverTime = "min_over_time"
    case maxOverTime = "max_over_time"
    case sumOverTime = "sum_over_time"
    case countOverTime = "count_over_time"
    case lastOverTime = "last_over_time"
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case presentOverTime = "present_over_time"
    case absentOverTime = "absent_over_time"

    /// Whether the function takes a scalar after the range vector (`predict_linear(v, t)`).
    var takesScalar: Bool { self == .predictLinear }

    /// Whether the output keeps `__name__` (only `last_over_time` does, as in Prometheus).
    var keepsMetricName: Bool { self == .lastOverTime }

    /// The function's value over one series' samples in the window `[start, end]` (oldest first,
    /// never empty; times in milliseconds as Prometheus keeps them), or nil when Prometheus drops the element (fewer than two samples for the rate
    /// and regression functions). `scalar` is `predict_linear`'s second argument.
    func apply(_ samples: ArraySlice<HistorySample>, start: Int64, end: Int64, scalar: Double) -> Double? {
        switch self {
        case .rate: return RangeMath.extrapolatedRate(samples, start: start, end: end, isCounter: true, isRate: true)
        case .increase:
            return RangeMath.extrapolatedRate(samples, start: start, end: end, isCounter: true, isRate: false)
        case .delta:
            return RangeMath.extrapolatedRate(samples, start: start, end: end, isCounter: false, isRate: false)
        case .irate: return RangeMath.instantValue(samples, isRate: true)
        case .idelta: return RangeMath.instantValue(samples, isRate: false)
        case .deriv:
            guard samples.count >= 2 else { return nil }
            // Regressing around the first sample's time keeps x small (prometheus#2674).
            return RangeMath.linearRegression(samples, interceptTime: samples.first!.time).slope
        case .predictLinear:
            guard samples.count >= 2 else { return nil }
            let (slope, intercept) = RangeMath.linearRegression(samples, interceptTime: end)
            return slope * scalar + intercept
        case .changes:
            var (count, previous) = (0, samples.first!.value)
            for s in samples.dropFirst() {
                if s.value != previous && !(s.value.isNaN && previous.isNaN) { count += 1 }
                previous = s.value
            }
            return Double(count)
        case .resets:
            var (count, previous) = (0, samples.first!.value)
            for s in samples.dropFirst() {
                if s.value < previous { count += 1 }
                previous = s.value
            }
            return Double(count)
        case .stddevOverTime: return RangeMath.variance(samples).squareRoot()
        case .stdvarOverTime: return RangeMath.variance(samples)
        case .avgOverTime: return RangeMath.average(samples)
        case .minOverTime:
            var min = samples.first!.value
            for s in samples where s.value < min || min.isNaN { min = s.value }
            return min
        case .maxOverTime:
            var max = samples.first!.value
            for s in samples where s.value > max || max.isNaN { max = s.value }
            return max
        case .sumOverTime: return RangeMath.kahanSum(samples.lazy.map(\.value))
        case .countOverTime: return Double(samples.count)
        case .lastOverTime: return samples.last!.value
        case .presentOverTime, .absentOverTime: return 1
        }
    }
}
