import Exposition

/// Evaluates an ``Expression`` at one instant against the exporter's current series, with PromQL's
/// semantics: comparisons filter (or give 0/1 with `bool`) and keep the vector's value whichever side
/// it is on; arithmetic and `bool` drop `__name__`; aggregations drop it and keep only the grouping
/// labels; `and`/`or`/`unless` match on all labels but `__name__` unless `on`/`ignoring` say otherwise.
struct ExpressionEvaluator {
    /// Every current series, flattened from the families as Prometheus would store them after a
    /// scrape: counters as `name_total`, histograms as `_bucket{le}`, `_sum`, `_count`.
    let series: [VectorElement]
    /// The evaluation time, for `time()`.
    let now: Double
    /// Recent samples for range selectors (recorded by the caller, including this evaluation's).
    var history = SeriesHistory()

    /// The evaluation time in Unix milliseconds, as range windows and history samples use it.
    static func milliseconds(_ time: Double) -> Int64 { Int64((time * 1000).rounded()) }

    init(families: [MetricFamily], now: Double) {
        self.now = now
        var series: [VectorElement] = []
        func add(_ name: String, _ labels: [Label], _ value: Double, le: String? = nil) {
            var map: [String: String] = ["__name__": name]
            // Prometheus stores no empty label values: `queue=""` is the same series as no `queue`.
            for label in labels where !label.value.isEmpty { map[label.name] = label.value }
            if let le { map["le"] = le }
            series.append(VectorElement(labels: map, value: value))
        }
        for family in families {
            switch family.type {
            case .counter:
                for sample in family.samples { add(family.name + "_total", sample.labels, sample.value) }
            case .gauge, .untyped:
                for sample in family.samples { add(family.name, sample.labels, sample.value) }
            case .histogram:
                for h in family.histogramSeries {
                    for bucket in h.buckets {
                        add(
                            family.name + "_bucket", h.labels, Double(bucket.cumulativeCount),
                            le: ExpressionEvaluator.formatBound(bucket.upperBound))
                    }
                    add(family.name + "_bucket", h.labels, Double(h.count), le: "+Inf")
                    add(family.name + "_sum", h.labels, h.sum)
                    add(family.name + "_count", h.labels, Double(h.count))
                }
            }
        }
        self.series = series
    }

    /// The `le` text the exposition writes for a bucket bound (so `le="0.5"` selects what a scrape would).
    static func formatBound(_ value: Double) -> String {
        if value.magnitude < 0x1p53 && value.rounded(.towardZero) == value { return String(Int64(value)) }
        return value.description
    }

    /// The value of an expression: a vector, or a scalar for number-only expressions.
    enum Value {
        case scalar(Double)
        case vector([VectorElement])
    }

    /// Evaluates `expression`; a scalar result becomes a one-element vector with no labels (as the
    /// rule manager does), so any expression yields alerts.
    func evaluateAsVector(_ expression: Expression) throws(ExpressionError) -> [VectorElement] {
        switch try evaluate(expression) {
        case .scalar(let v): return [VectorElement(labels: [:], value: v)]
        case .vector(let v): return v
        }
    }

    func evaluate(_ expression: Expression) throws(ExpressionError) -> Value {
        switch expression {
        case .number(let n):
            return .scalar(n)
        case .time:
            return .scalar(now)
        case .selector(let selector):
            return .vector(select(selector))
        case .negate(let inner):
            switch try evaluate(inner) {
            case .scalar(let v): return .scalar(-v)
            case .vector(let elements):
                return .vector(
                    elements.map { e in
                        var out = e
                        out.labels["__name__"] = nil
                        out.value = -e.value
                        return out
                    })
            }
        case .absent(let inner):
            guard case .vector(let elements) = try evaluate(inner) else { return .vector([]) }
            if !elements.isEmpty { return .vector([]) }
            var labels: [String: String] = [:]
            if case .selector(let selector) = inner { labels = selector.absentLabels }
            return .vector([VectorElement(labels: labels, value: 1)])
        case .aggregate(let op, let grouping, let inner):
            guard case .vector(let elements) = try evaluate(inner) else { return .vector([]) }
            return .vector(aggregate(op, grouping, elements))
        case .binary(let op, let l, let r, let returnBool, let matching):
            return try binary(op, try evaluate(l), try evaluate(r), returnBool: returnBool, matching: matching)
        case .rangeFunction(let function, let matrix, let argument):
            var scalar = 0.0
            if let argument, case .scalar(let value) = try evaluate(argument) { scalar = value }
            return .vector(try rangeFunction(function, matrix, scalar: scalar))
        }
    }

    /// One output element per series with samples in `[now − range, now]`, labels without
    /// `__name__` (kept by `last_over_time`); `absent_over_time` yields one element exactly when
    /// no series has a sample there. As in Prometheus, two outputs with one label set are an error.
    private func rangeFunction(_ function: RangeFunction, _ matrix: MatrixSelector, scalar: Double)
        throws(ExpressionError)
        -> [VectorElement]
    {
        let end = ExpressionEvaluator.milliseconds(now)
        let start = end - Int64((matrix.range * 1000).rounded())
        let windows = history.window(matrix.selector, start: start, end: end)
        if function == .absentOverTime {
            return windows.isEmpty ? [VectorElement(labels: matrix.selector.absentLabels, value: 1)] : []
        }
        var out: [VectorElement] = []
        var seen: Set<[String]> = []
        for (labels, samples) in windows {
            guard let value = function.apply(samples, start: start, end: end, scalar: scalar) else { continue }
            var labels = labels
            if !function.keepsMetricName { labels["__name__"] = nil }
            let element = VectorElement(labels: labels, value: value)
            guard
                seen.insert(element.signature(VectorMatching(on: false, labels: []))).inserted
                    || function.keepsMetricName
            else {
                throw ExpressionError.duplicateLabelset
            }
            out.append(element)
        }
        return out
    }

    private func select(_ selector: VectorSelector) -> [VectorElement] {
        series.filter { element in
            selector.matchers.allSatisfy { $0.matches(element.labels) }
        }
    }

    private func aggregate(_ op: AggregateOperator, _ grouping: Grouping?, _ elements: [VectorElement])
        -> [VectorElement]
    {
        var groups: [[String]: (labels: [String: String], values: [Double])] = [:]
        var order: [[String]] = []
        for element in elements {
            var labels: [String: String] = [:]
            if let grouping, !grouping.without {
                for name in grouping.labels { if let v = element.labels[name], !v.isEmpty { labels[name] = v } }
            } else if let grouping {
                labels = element.labels
                labels["__name__"] = nil
                for name in grouping.labels { labels[name] = nil }
            }
            let key = labels.sorted { $0.key < $1.key }.map { $0.key + "\u{ff}" + $0.value }
            if groups[key] == nil {
                groups[key] = (labels, [])
                order.append(key)
            }
            groups[key]!.values.append(element.value)
        }
        return order.map { key in
            let group = groups[key]!
            let values = group.values
            let value: Double
            switch op {
            case .sum: value = values.reduce(0, +)
            case .count: value = Double(values.count)
            case .avg: value = values.reduce(0, +) / Double(values.count)
            case .min: value = values.dropFirst().reduce(values[0]) { $0.isNaN || $1 < $0 ? $1 : $0 }
            case .max: value = values.dropFirst().reduce(values[0]) { $0.isNaN || $1 > $0 ? $1 : $0 }
            }
            return VectorElement(labels: group.labels, value: value)
        }
    }

    private static func apply(_ op: BinaryOperator, _ l: Double, _ r: Double) -> (value: Double, keep: Bool) {
        switch op {
        case .add: return (l + r, true)
        case .subtract: return (l - r, true)
        case .multiply: return (l * r, true)
        case .divide: return (l / r, true)
        case .equal: return (l, l == r)
        case .notEqual: return (l, l != r)
        case .greater: return (l, l > r)
        case .greaterOrEqual: return (l, l >= r)
        case .less: return (l, l < r)
        case .lessOrEqual: return (l, l <= r)
        case .and, .or, .unless: preconditionFailure("set operators are vector-only (checked by the parser)")
        }
    }

    private func binary(
        _ op: BinaryOperator, _ lhs: Value, _ rhs: Value, returnBool: Bool, matching: VectorMatching?
    ) throws(ExpressionError) -> Value {
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            let (value, keep) = ExpressionEvaluator.apply(op, l, r)
            return .scalar(op.isComparison ? (keep ? 1 : 0) : value)
        case (.vector(let elements), .scalar(let s)):
            return .vector(vectorScalar(op, elements, s, swapped: false, returnBool: returnBool))
        case (.scalar(let s), .vector(let elements)):
            return .vector(vectorScalar(op, elements, s, swapped: true, returnBool: returnBool))
        case (.vector(let l), .vector(let r)):
            switch op {
            case .and:
                let keys = Set(r.map { $0.signature(matching) })
                return .vector(l.filter { keys.contains($0.signature(matching)) })
            case .unless:
                let keys = Set(r.map { $0.signature(matching) })
                return .vector(l.filter { !keys.contains($0.signature(matching)) })
            case .or:
                let keys = Set(l.map { $0.signature(matching) })
                return .vector(l + r.filter { !keys.contains($0.signature(matching)) })
            default:
                return .vector(try vectorVector(op, l, r, returnBool: returnBool, matching: matching))
            }
        }
    }

    private func vectorScalar(
        _ op: BinaryOperator, _ elements: [VectorElement], _ scalar: Double, swapped: Bool, returnBool: Bool
    ) -> [VectorElement] {
        elements.compactMap { element in
            let (l, r) = swapped ? (scalar, element.value) : (element.value, scalar)
            var (value, keep) = ExpressionEvaluator.apply(op, l, r)
            // A comparison always yields the vector's value, even with the scalar on the left.
            if op.isComparison && swapped { value = element.value }
            var out = element
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { return nil }
            if !op.isComparison || returnBool { out.labels["__name__"] = nil }
            out.value = value
            return out
        }
    }

    private func vectorVector(
        _ op: BinaryOperator, _ lhs: [VectorElement], _ rhs: [VectorElement], returnBool: Bool,
        matching: VectorMatching?
    ) throws(ExpressionError) -> [VectorElement] {
        var right: [[String]: VectorElement] = [:]
        for element in rhs {
            let key = element.signature(matching)
            if right[key] != nil {
                throw ExpressionError.manyToManyMatching
            }
            right[key] = element
        }
        var seen: Set<[String]> = []
        var out: [VectorElement] = []
        for element in lhs {
            let key = element.signature(matching)
            guard let match = right[key] else { continue }
            if seen.contains(key) {
                throw ExpressionError.manyToOneMatching
            }
            seen.insert(key)
            var (value, keep) = ExpressionEvaluator.apply(op, element.value, match.value)
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            var labels = element.labels
            if !op.isComparison || returnBool { labels["__name__"] = nil }
            if let matching {
                if matching.on {
                    labels = labels.filter { matching.labels.contains($0.key) }
                } else {
                    for name in matching.labels { labels[name] = nil }
                }
            }
            out.append(VectorElement(labels: labels, value: value))
        }
        return out
    }
}

extension VectorSelector {
    /// The labels of `absent(…)`'s element: those of `=` matchers, except `__name__`, and without a
    /// label that another matcher also names (Prometheus's `createLabelsForAbsentFunction`).
    var absentLabels: [String: String] {
        var labels: [String: String] = [:]
        var has: Set<String> = []
        for m in matchers where m.name != "__name__" {
            if m.op == .equal && !has.contains(m.name) {
                labels[m.name] = m.value
                has.insert(m.name)
            } else {
                labels[m.name] = nil
            }
        }
        return labels
    }
}
