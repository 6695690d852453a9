/// Alertmanager's alert fingerprint (`model.LabelSet.Fingerprint` in prometheus/common): FNV-1a
/// 64-bit over the label names in sorted order, each name and value followed by a 0xff byte.
/// Receivers deduplicate on it, so it must be bit-for-bit Alertmanager's.
public enum LabelFingerprint {
    private static let offsetBasis: UInt64 = 14_695_981_039_346_656_037
    private static let prime: UInt64 = 1_099_511_628_211

    /// The 64-bit fingerprint (14695981039346656037 for the empty set).
    public static func value(_ labels: [String: String]) -> UInt64 {
        var hash = offsetBasis
        func add(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        for name in labels.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            for b in name.utf8 { add(b) }
            add(0xff)
            for b in labels[name]!.utf8 { add(b) }
            add(0xff)
        }
        return hash
    }

    /// The fingerprint as Alertmanager prints it: 16 lower-case hex digits.
    public static func hex(_ labels: [String: String]) -> String {
        let digits = String(value(labels), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
