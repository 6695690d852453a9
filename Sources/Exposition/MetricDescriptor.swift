/// What never changes about one served metric family: its name, type, unit, label names and HELP
/// text. Every family the exporter serves is declared once, in ``MetricCatalogue``; code that emits
/// metrics builds families from these descriptors (``MetricFamily/init(_:samples:)``), never from a
/// name of its own.
public struct MetricDescriptor: Sendable, Hashable {
    /// The family name (for counters, without `_total`; the encoders add it).
    public let name: String
    /// The metric type.
    public let type: MetricType
    /// The unit (`seconds`, `bytes`): the name's suffix, announced as `# UNIT` in OpenMetrics.
    public let unit: String?
    /// The names of the labels a series may carry, in the order they are emitted. A series may
    /// leave some out (e.g. `task`, only with the task label enabled), never add others, except
    /// where ``withRuleLabels`` says so.
    public let labelNames: [String]
    /// Whether series also carry labels of the alerting rule that made them (the alert families).
    public let withRuleLabels: Bool
    /// The HELP text: short and precise; the README's metric tables hold the long story.
    public let help: String

    /// Declares a family; traps on an invalid metric or label name (the catalogue is code).
    public init(
        _ name: String, _ type: MetricType, unit: String? = nil, labels: [String] = [], withRuleLabels: Bool = false,
        help: String
    ) {
        precondition(MetricFamily.isValidName(name), "invalid Prometheus metric name '\(name)'")
        precondition(labels.allSatisfy(Label.isValidName), "invalid label name in '\(name)': \(labels)")
        self.name = name
        self.type = type
        self.unit = unit
        self.labelNames = labels
        self.withRuleLabels = withRuleLabels
        self.help = help
    }

    /// The name users write in PromQL, dashboards and the README: counters with `_total`, every
    /// other type (histograms too: their family name) as declared.
    public var exposedName: String {
        type == .counter ? name + "_total" : name
    }

    /// Every sample name the family produces in text 0.0.4 (`_bucket`, `_sum`, `_count` for a
    /// histogram).
    public var sampleNames: [String] {
        switch type {
        case .counter: return [name + "_total"]
        case .histogram: return [name + "_bucket", name + "_sum", name + "_count"]
        case .gauge, .untyped: return [name]
        }
    }

    /// Whether a series with these label names (in this order) fits the declaration: a
    /// subsequence of ``labelNames``, or anything at all for families ``withRuleLabels``.
    public func admits(labelNames names: [String]) -> Bool {
        if withRuleLabels { return true }
        var declared = labelNames[...]
        for name in names {
            guard let index = declared.firstIndex(of: name) else { return false }
            declared = declared[(index + 1)...]
        }
        return true
    }
}
