extension MetricFamily {
    /// Problems that make a set of families an invalid exposition, as readable sentences (empty
    /// when consistent): duplicate family names, names that collide with another family's generated
    /// names (`_total`, `_created`, `_bucket`, `_sum`, `_count`), duplicate label names in one
    /// series, duplicate label sets within a family, and negative or NaN counter values.
    ///
    /// These are programmer errors: ``MetricEncoder/encode(_:as:)`` asserts that this is empty in
    /// debug builds; tests call it directly.
    public static func consistencyProblems(_ families: [MetricFamily]) -> [String] {
        var problems: [String] = []
        var owner: [String: String] = [:]  // every exposed or reserved name -> family that owns it
        for family in families {
            for exposed in family.reservedNames {
                if let other = owner[exposed] {
                    problems.append(
                        other == family.name
                            ? "duplicate metric family '\(family.name)'"
                            : "name '\(exposed)' of family '\(family.name)' collides with family '\(other)'")
                } else {
                    owner[exposed] = family.name
                }
            }
            var seen = Set<[String]>()
            for labels in family.labelSets {
                let names = labels.map(\.name)
                if Set(names).count != names.count {
                    problems.append("duplicate label name in a series of '\(family.name)': \(names)")
                }
                let key = labels.sorted { $0.name < $1.name }.flatMap { [$0.name, $0.value] }
                if !seen.insert(key).inserted {
                    problems.append("duplicate label set in '\(family.name)': \(key)")
                }
            }
            if family.type == .counter {
                for sample in family.samples where sample.value.isNaN || sample.value < 0 {
                    problems.append("counter '\(family.name)' has a negative or NaN value \(sample.value)")
                }
            }
        }
        return problems
    }

    /// The family name plus every sample name it generates in either format.
    private var reservedNames: [String] {
        switch type {
        case .counter: return [name, name + "_total", name + "_created"]
        case .histogram: return [name, name + "_bucket", name + "_sum", name + "_count", name + "_created"]
        case .gauge, .untyped: return [name]
        }
    }

    private var labelSets: [[Label]] {
        type == .histogram ? histogramSeries.map(\.labels) : samples.map(\.labels)
    }
}
