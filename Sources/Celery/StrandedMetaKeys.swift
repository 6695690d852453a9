/// The distinct result meta key hashes (``FNV1a`` of prefix + task id) of the stranded `unacked`
/// entries, kept as counts so ``UnackedLedger`` can add and remove entries one at a time.
struct StrandedMetaKeys {
    /// Hash → stranded entries carrying it (two tags can carry one task id after a redelivery).
    private(set) var counts: [UInt64: Int] = [:]

    /// Distinct hashes.
    var count: Int { counts.count }

    func contains(_ hash: UInt64) -> Bool { counts[hash] != nil }

    mutating func insert(_ hash: UInt64) { counts[hash, default: 0] += 1 }

    mutating func remove(_ hash: UInt64) {
        guard let n = counts[hash] else { return }
        counts[hash] = n > 1 ? n - 1 : nil
    }

    /// How many of these hashes are not in `other`: O(`other`), not O(self).
    func subtracting(_ other: Set<UInt64>) -> Remainder {
        Remainder(count: counts.count - other.reduce(0) { $0 + (counts[$1] == nil ? 0 : 1) })
    }

    /// What is left after ``subtracting(_:)``: only its size is needed.
    struct Remainder {
        let count: Int
    }
}
