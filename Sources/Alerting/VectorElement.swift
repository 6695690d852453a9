/// One element of an instant vector: a label set (with `__name__` while the expression keeps it)
/// and a value.
struct VectorElement: Equatable, Sendable {
    var labels: [String: String]
    var value: Double

    /// The labels a binary operation matches on: all but `__name__`, or only/except those listed.
    func signature(_ matching: VectorMatching?) -> [String] {
        if let matching, matching.on {
            return matching.labels.sorted().map { $0 + "\u{ff}" + (labels[$0] ?? "") }
        }
        let ignored = Set((matching?.labels ?? []) + ["__name__"])
        return labels.filter { !ignored.contains($0.key) }.sorted { $0.key < $1.key }.map {
            $0.key + "\u{ff}" + $0.value
        }
    }
}
