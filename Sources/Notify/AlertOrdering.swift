/// Alertmanager's order of alerts in a notification (`types.AlertSlice.Less`): by the `job`
/// label, then `instance` (an alert with the label before one without), then by label set
/// (`model.LabelSet.Before`: fewer labels first, then the first differing value in name order).
enum AlertOrdering {
    static func less(_ a: NotifiableAlert, _ b: NotifiableAlert) -> Bool {
        for key in ["job", "instance"] {
            switch (a.labels[key], b.labels[key]) {
            case (nil, nil): continue
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?): if x != y { return GoString.less(x, y) }
            }
        }
        return labelSetBefore(a.labels, b.labels)
    }

    static func labelSetBefore(_ a: [String: String], _ b: [String: String]) -> Bool {
        if a.count != b.count { return a.count < b.count }
        for name in (Array(a.keys) + Array(b.keys)).sorted(by: GoString.less) {
            guard let x = a[name] else { return true }
            guard let y = b[name] else { return false }
            if x != y { return GoString.less(x, y) }
        }
        return false
    }

    /// Labels (or annotations) with the same value in every element; empty for no elements.
    static func common(_ maps: [[String: String]]) -> [String: String] {
        guard var result = maps.first else { return [:] }
        for m in maps.dropFirst() {
            result = result.filter { m[$0.key] == $0.value }
        }
        return result
    }
}
