/// A delivery tag as a dictionary key, compact and cheap to hash: Celery's tags are `uuid4()`
/// strings (36 bytes, lower-case hex and four dashes), packed losslessly into 128 bits with no
/// heap allocation; any other tag keeps its bytes (``other``), so two distinct tags never share a
/// key (no hash of the tag stands in for it).
struct UnackedTagKey: Hashable {
    /// The 16 bytes of a canonical UUID tag (0 for ``other`` tags).
    let high: UInt64
    let low: UInt64
    /// The raw bytes of a tag that is not a canonical lower-case UUID; nil for UUID tags.
    let other: [UInt8]?

    init(_ tag: [UInt8]) {
        if let (high, low) = UnackedTagKey.packUUID(tag) {
            self.high = high
            self.low = low
            self.other = nil
        } else {
            self.high = 0
            self.low = 0
            self.other = tag
        }
    }

    /// The tag's bytes, exactly as in `unacked_index` (a UUID is unpacked to lower-case hex).
    var bytes: [UInt8] {
        if let other { return other }
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var nibble = 0
        for i in 0..<36 where i != 8 && i != 13 && i != 18 && i != 23 {
            let word = nibble < 16 ? high : low
            let shift = UInt64(60 - 4 * (nibble % 16))
            out[i] = hex[Int((word >> shift) & 0xF)]
            nibble += 1
        }
        return out
    }

    /// Heap bytes a key holds beyond its inline 24 (for the cache's byte bound).
    var heapBytes: Int { other.map { $0.count + 32 } ?? 0 }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex as two words; nil for anything else
    /// (upper case too: packing it would lose the case, and the tag must round-trip exactly).
    static func packUUID(_ tag: [UInt8]) -> (UInt64, UInt64)? {
        guard tag.count == 36 else { return nil }
        return tag.withUnsafeBufferPointer { p -> (UInt64, UInt64)? in
            var words: (UInt64, UInt64) = (0, 0)
            var nibbles = 0
            for i in 0..<36 {
                let c = p[i]
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard c == UInt8(ascii: "-") else { return nil }
                    continue
                }
                let v: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c &- UInt8(ascii: "a") &+ 10
                default: return nil
                }
                if nibbles < 16 {
                    words.0 = words.0 << 4 | UInt64(v)
                } else {
                    words.1 = words.1 << 4 | UInt64(v)
                }
                nibbles += 1
            }
            return words
        }
    }
}
