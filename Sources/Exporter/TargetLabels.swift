import Exposition

/// The `target` label of a process that watches several Celery deployments: each target's families
/// get `target="<name>"` on every series, and families of the same name from several targets are
/// served as one (HELP and TYPE once, the first target's text).
///
/// Families about the process rather than a target (the build, truncated label values, which are
/// counted process-wide) are served once, without the label. The HTTP server, reload, process,
/// name-lookup and alerting families never pass through here.
public enum TargetLabels {
    /// The label name.
    public static let name = "target"

    /// Families the sampler's builder emits that describe the process, not one target.
    public static let processWide: Set<String> = [
        MetricDescriptor.buildInfo.name, MetricDescriptor.labelValuesTruncated.name,
    ]

    /// `families` with `target="<target>"` prepended to every series (process-wide ones unchanged).
    public static func labelled(_ families: [MetricFamily], target: String) -> [MetricFamily] {
        let label = Label(name, target)
        return families.map { family in
            if processWide.contains(family.name) { return family }
            if family.type == .histogram {
                return .histogram(
                    name: family.name, help: family.help, unit: family.unit,
                    series: family.histogramSeries.map {
                        HistogramSeries(labels: [label] + $0.labels, buckets: $0.buckets, sum: $0.sum, count: $0.count)
                    })
            }
            return MetricFamily(
                name: family.name, help: family.help, type: family.type, unit: family.unit,
                samples: family.samples.map { Sample(labels: [label] + $0.labels, value: $0.value) })
        }
    }

    /// One family per name, where its name first appears: the series of later same-name families
    /// are appended (they differ by `target`); a process-wide family is kept once.
    public static func merged(_ families: [MetricFamily]) -> [MetricFamily] {
        var order: [String] = []
        var byName: [String: (first: MetricFamily, samples: [Sample], series: [HistogramSeries])] = [:]
        for family in families {
            if var entry = byName[family.name] {
                guard !processWide.contains(family.name) else { continue }
                entry.samples += family.samples
                entry.series += family.histogramSeries
                byName[family.name] = entry
            } else {
                order.append(family.name)
                byName[family.name] = (family, family.samples, family.histogramSeries)
            }
        }
        return order.map { name in
            let (first, samples, series) = byName[name]!
            if first.type == .histogram {
                return .histogram(name: first.name, help: first.help, unit: first.unit, series: series)
            }
            return MetricFamily(
                name: first.name, help: first.help, type: first.type, unit: first.unit, samples: samples)
        }
    }
}
