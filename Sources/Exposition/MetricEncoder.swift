/// Renders metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 bytes.
///
/// Output is written straight into one reserved byte array. Families appear in the given order,
/// each contiguous with its HELP and TYPE (and in OpenMetrics, UNIT) lines before its samples.
/// Timestamps are never written.
public enum MetricEncoder {
    /// Encodes `families` in `format`. The result is UTF-8, every line ends with `\n`, and
    /// OpenMetrics output ends with `# EOF\n`.
    ///
    /// In debug builds this asserts that ``MetricFamily/consistencyProblems(_:)`` is empty.
    public static func encode(_ families: [MetricFamily], as format: ExpositionFormat) -> [UInt8] {
        #if DEBUG
            let problems = MetricFamily.consistencyProblems(families)
            assert(problems.isEmpty, "inconsistent metric families: \(problems)")
        #endif
        let openMetrics = format == .openMetrics
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(families))
        for family in families {
            writeFamily(family, openMetrics: openMetrics, into: &out)
        }
        if openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
        return out
    }

    private static func writeFamily(_ family: MetricFamily, openMetrics: Bool, into out: inout [UInt8]) {
        // Text 0.0.4 names a counter family after its samples (`x_total`); OpenMetrics uses `x`.
        let metadataName = family.type == .counter && !openMetrics ? family.name + "_total" : family.name
        if !family.help.isEmpty {
            out.append(contentsOf: "# HELP ".utf8)
            out.append(contentsOf: metadataName.utf8)
            out.append(UInt8(ascii: " "))
            out.appendEscaped(family.help, escapeQuotes: openMetrics)
            out.append(UInt8(ascii: "\n"))
        }
        out.append(contentsOf: "# TYPE ".utf8)
        out.append(contentsOf: metadataName.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: family.type.keyword(openMetrics: openMetrics).utf8)
        out.append(UInt8(ascii: "\n"))
        if openMetrics, let unit = family.unit {
            out.append(contentsOf: "# UNIT ".utf8)
            out.append(contentsOf: family.name.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: unit.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        switch family.type {
        case .counter, .gauge, .untyped:
            let sampleName = Array((family.type == .counter ? family.name + "_total" : family.name).utf8)
            for sample in family.samples {
                out.append(contentsOf: sampleName)
                out.appendLabels(sample.labels, le: nil, openMetrics: openMetrics)
                out.append(UInt8(ascii: " "))
                out.appendValue(sample.value, openMetrics: openMetrics)
                out.append(UInt8(ascii: "\n"))
            }
        case .histogram:
            let bucketName = Array((family.name + "_bucket").utf8)
            let sumName = Array((family.name + "_sum").utf8)
            let countName = Array((family.name + "_count").utf8)
            for series in family.histogramSeries {
                for bucket in series.buckets {
                    out.append(contentsOf: bucketName)
                    out.appendLabels(series.labels, le: bucket.upperBound, openMetrics: openMetrics)
                    out.append(UInt8(ascii: " "))
                    out.appendInteger(bucket.cumulativeCount)
                    out.append(UInt8(ascii: "\n"))
                }
                out.append(contentsOf: bucketName)
                out.appendLabels(series.labels, le: .infinity, openMetrics: openMetrics)
                out.append(UInt8(ascii: " "))
                out.appendInteger(series.count)
                out.append(UInt8(ascii: "\n"))
                out.append(contentsOf: sumName)
                out.appendLabels(series.labels, le: nil, openMetrics: openMetrics)
                out.append(UInt8(ascii: " "))
                out.appendValue(series.sum, openMetrics: openMetrics)
                out.append(UInt8(ascii: "\n"))
                out.append(contentsOf: countName)
                out.appendLabels(series.labels, le: nil, openMetrics: openMetrics)
                out.append(UInt8(ascii: " "))
                out.appendInteger(series.count)
                out.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// A slight over-estimate of the output size, so the array grows at most once or twice.
    private static func estimatedSize(_ families: [MetricFamily]) -> Int {
        var size = 16
        for family in families {
            let name = family.name.utf8.count
            size += 48 + 3 * name + family.help.utf8.count + (family.unit?.utf8.count ?? 0)
            for sample in family.samples {
                size += name + 32 + labelSize(sample.labels)
            }
            for series in family.histogramSeries {
                let line = name + 40 + labelSize(series.labels)
                size += (series.buckets.count + 3) * (line + 16)
            }
        }
        return size
    }

    private static func labelSize(_ labels: [Label]) -> Int {
        var size = 2
        for label in labels { size += label.name.utf8.count + label.value.utf8.count + 8 }
        return size
    }
}
