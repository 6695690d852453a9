extension MetricFamily {
    /// Creates the counter, gauge or untyped family `descriptor` declares, with these samples.
    ///
    /// Debug builds check that the descriptor is in ``MetricCatalogue/all`` and that every sample's
    /// label names are declared (``MetricDescriptor/admits(labelNames:)``).
    public init(_ descriptor: MetricDescriptor, samples: [Sample]) {
        assert(MetricCatalogue.contains(descriptor), "'\(descriptor.name)' is not listed in MetricCatalogue.all")
        assert(
            samples.allSatisfy { descriptor.admits(labelNames: $0.labels.map(\.name)) },
            "a sample of '\(descriptor.name)' has labels not declared in its descriptor \(descriptor.labelNames)")
        self.init(
            name: descriptor.name, help: descriptor.help, type: descriptor.type, unit: descriptor.unit,
            samples: samples)
    }

    /// Creates the family `descriptor` declares with a single unlabelled sample.
    public init(_ descriptor: MetricDescriptor, value: Double) {
        self.init(descriptor, samples: [Sample(value: value)])
    }

    /// Creates the histogram family `descriptor` declares, with these series (checked as
    /// ``init(_:samples:)`` checks samples).
    public static func histogram(_ descriptor: MetricDescriptor, series: [HistogramSeries]) -> MetricFamily {
        assert(MetricCatalogue.contains(descriptor), "'\(descriptor.name)' is not listed in MetricCatalogue.all")
        assert(
            series.allSatisfy { descriptor.admits(labelNames: $0.labels.map(\.name)) },
            "a series of '\(descriptor.name)' has labels not declared in its descriptor \(descriptor.labelNames)")
        return .histogram(name: descriptor.name, help: descriptor.help, unit: descriptor.unit, series: series)
    }
}
