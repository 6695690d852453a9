/// A map from 64-bit hashes to 32-bit values with less slack than `Dictionary`: open addressing
/// with linear probing in two flat arrays (12 bytes a slot, nothing else per entry), a maximum load
/// of 7/8 and growth by a quarter, so the table is 70–88% full (a `Dictionary` is 37–75% full: it
/// doubles at 3/4). Removal shifts later entries back (no tombstones), and the table shrinks when
/// it is less than a quarter full, so a table emptied by expiries gives its memory back.
///
/// Made for ``CensusTable``'s shards: keys are already well-mixed hashes. Key 0 (the empty-slot
/// marker) is kept on the side.
struct CompactHashMap {
    private var keys: [UInt64] = []
    private var values: [UInt32] = []
    private var zeroValue: UInt32?
    /// Entries held.
    private(set) var count = 0

    /// Slots allocated (for memory accounting).
    var capacity: Int { keys.count }

    @inline(__always) private static func home(_ key: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (key ^ (key >> 29)) % UInt64(capacity))
    }

    /// The slot of `key`, or nil.
    private func find(_ key: UInt64) -> Int? {
        let capacity = keys.count
        guard capacity > 0 else { return nil }
        var i = CompactHashMap.home(key, capacity)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == 0 { return nil }
            i += 1
            if i == capacity { i = 0 }
        }
    }

    subscript(key: UInt64) -> UInt32? {
        get {
            if key == 0 { return zeroValue }
            return find(key).map { values[$0] }
        }
        set {
            if let newValue { _ = updateValue(newValue, forKey: key) } else { _ = removeValue(forKey: key) }
        }
    }

    /// Sets `value` for `key`; returns the previous value.
    @discardableResult
    mutating func updateValue(_ value: UInt32, forKey key: UInt64) -> UInt32? {
        if key == 0 {
            let old = zeroValue
            zeroValue = value
            if old == nil { count += 1 }
            return old
        }
        if let i = find(key) {
            let old = values[i]
            values[i] = value
            return old
        }
        if (count + 1) * 8 > keys.count * 7 { resize(to: keys.count + keys.count / 4 + 16) }
        insertNew(key, value)
        count += 1
        return nil
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> UInt32? {
        if key == 0 {
            let old = zeroValue
            zeroValue = nil
            if old != nil { count -= 1 }
            return old
        }
        guard let found = find(key) else { return nil }
        let old = values[found]
        // Backward shift: move each later entry of the run into the hole unless its home slot
        // lies cyclically in (hole, j], where it would then be unreachable.
        let capacity = keys.count
        var hole = found
        var j = found
        while true {
            j += 1
            if j == capacity { j = 0 }
            let k = keys[j]
            if k == 0 { break }
            let h = CompactHashMap.home(k, capacity)
            let movable = j > hole ? (h <= hole || h > j) : (h <= hole && h > j)
            if movable {
                keys[hole] = k
                values[hole] = values[j]
                hole = j
            }
        }
        keys[hole] = 0
        count -= 1
        if keys.count > 64 && count * 4 < keys.count { resize(to: count + count / 2 + 16) }
        return old
    }

    /// Calls `body` for every entry (do not mutate the map from `body`).
    func forEach(_ body: (UInt64, UInt32) -> Void) {
        if let zeroValue { body(0, zeroValue) }
        for i in keys.indices where keys[i] != 0 { body(keys[i], values[i]) }
    }

    private mutating func insertNew(_ key: UInt64, _ value: UInt32) {
        let capacity = keys.count
        var i = CompactHashMap.home(key, capacity)
        while keys[i] != 0 {
            i += 1
            if i == capacity { i = 0 }
        }
        keys[i] = key
        values[i] = value
    }

    private mutating func resize(to capacity: Int) {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: capacity)
        values = [UInt32](repeating: 0, count: capacity)
        for i in oldKeys.indices where oldKeys[i] != 0 { insertNew(oldKeys[i], oldValues[i]) }
    }
}
