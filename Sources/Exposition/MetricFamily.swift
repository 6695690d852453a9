/// All series of one metric name, with its HELP text, type and optional unit.
///
/// Names are validated when the family is made (an invalid one is a programmer error and traps).
/// A counter is named without `_total`; the encoders add the suffix where each format wants it.
public struct MetricFamily: Sendable {
    /// The family name, e.g. `celery_redis_queue_length` (for counters, without `_total`).
    public let name: String
    /// The HELP text (any text; escaped by the encoder). An empty text emits no HELP line.
    public let help: String
    /// The metric type.
    public let type: MetricType
    /// The unit (e.g. `seconds`), emitted as `# UNIT` in OpenMetrics only; `name` ends with `_<unit>`.
    public let unit: String?
    /// The samples of a counter, gauge or untyped family (empty for a histogram).
    public let samples: [Sample]
    /// The series of a histogram family (empty otherwise).
    public let histogramSeries: [HistogramSeries]

    /// Creates a counter, gauge or untyped family. Use ``histogram(name:help:unit:series:)`` for
    /// histograms.
    ///
    /// Traps if `name` is not a valid metric name, if a counter's name ends in `_total`, or if
    /// `unit` is not the suffix of `name`.
    public init(name: String, help: String, type: MetricType, unit: String? = nil, samples: [Sample]) {
        precondition(type != .histogram, "use MetricFamily.histogram(name:help:unit:series:) for '\(name)'")
        self.init(name: name, help: help, type: type, unit: unit, samples: samples, series: [])
    }

    /// Creates a histogram family; each series gets `_bucket` lines (with an automatic
    /// `le="+Inf"`), `_sum` and `_count`.
    public static func histogram(
        name: String, help: String, unit: String? = nil,
        series: [HistogramSeries]
    ) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .histogram, unit: unit, samples: [], series: series)
    }

    private init(
        name: String, help: String, type: MetricType, unit: String?, samples: [Sample],
        series: [HistogramSeries]
    ) {
        precondition(MetricFamily.isValidName(name), "invalid Prometheus metric name '\(name)'")
        precondition(
            type != .counter || !name.hasSuffix("_total"),
            "counter '\(name)' must be named without '_total'; the encoders add it")
        if let unit {
            precondition(
                !unit.isEmpty
                    && unit.utf8.allSatisfy { isASCIILetter($0) || isASCIIDigit($0) || $0 == UInt8(ascii: "_") },
                "invalid unit '\(unit)' for '\(name)'")
            precondition(name.hasSuffix("_" + unit), "metric name '\(name)' must end with its unit '_\(unit)'")
        }
        self.name = name
        self.help = help
        self.type = type
        self.unit = unit
        self.samples = samples
        self.histogramSeries = series
    }

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || isASCIILetter(b) || (!first && isASCIIDigit(b))
            if !ok { return false }
            first = false
        }
        return !first
    }
}
