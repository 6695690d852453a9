import TestSupport
import Testing

@testable import Celery

/// ``CompactHashMap`` against `Dictionary` as the reference, through random inserts, updates and
/// removals (backward-shift deletion is where linear probing goes wrong), with growth and shrinking.
@Suite struct CompactHashMapTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func behavesLikeADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var map = CompactHashMap()
        var reference: [UInt64: UInt32] = [:]
        // A small key space forces long probe runs, wrap-around and many hits; key 0 included.
        let keySpace: UInt64 = 4_000
        for round in 0..<60_000 {
            // Grow for the first third, churn, then drain most of it (shrinking).
            let removeBias = round < 20_000 ? 2 : (round < 40_000 ? 5 : 9)
            let key = rng.next() % keySpace == 7 ? 0 : (rng.next() % keySpace) &* 0x0100_0000_01B3
            if Int(rng.next() % 10) < removeBias {
                #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
            } else {
                let value = UInt32(truncatingIfNeeded: rng.next())
                #expect(map.updateValue(value, forKey: key) == reference.updateValue(value, forKey: key))
            }
            if round % 5_000 == 0 {
                #expect(map.count == reference.count)
                for (k, v) in reference { #expect(map[k] == v) }
            }
        }
        #expect(map.count == reference.count)
        var seen: [UInt64: UInt32] = [:]
        // swift-format-ignore: ReplaceForEachWithForLoop
        map.forEach { k, v in seen[k] = v }
        #expect(seen == reference)
        // Load stays at most 7/8, and a drained table gives its slots back.
        #expect(map.count * 8 <= map.capacity * 7)
        for k in Array(reference.keys) { map[k] = nil }
        #expect(map.count == 0)
        #expect(map.capacity <= 64)
    }

    @Test func aMillionKeysFitInLessThanSixteenBytesEach() {
        var map = CompactHashMap()
        var rng = SplitMix64(seed: 9)
        for _ in 0..<1_000_000 { map[rng.next()] = 1 }
        #expect(map.count == 1_000_000)
        // 12 bytes a slot; a Dictionary<UInt64, UInt32> needs 2^21 slots (≈ 25 bytes a key) here.
        #expect(map.capacity * 12 < 16 * 1_000_000, "capacity \(map.capacity)")
    }
}
