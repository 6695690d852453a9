/// A time (an index score or an ETA) and the delivery tag it belongs to, ordered the way Redis
/// orders `unacked_index` (score, then tag bytes): the element of ``UnackedLedger``'s heaps.
struct UnackedStamp: Comparable {
    var value: Double
    var key: UnackedTagKey

    static func < (a: UnackedStamp, b: UnackedStamp) -> Bool {
        if a.value != b.value { return a.value < b.value }
        return UnackedStamp.precedes(a.key, b.key)
    }

    static func == (a: UnackedStamp, b: UnackedStamp) -> Bool { a.value == b.value && a.key == b.key }

    /// Byte order of two tags. A packed UUID's words compare like its lower-case hex text (digits
    /// sort before `a`–`f` in ASCII as in value), so only mixed or non-UUID tags unpack.
    static func precedes(_ a: UnackedTagKey, _ b: UnackedTagKey) -> Bool {
        if a.other == nil, b.other == nil { return (a.high, a.low) < (b.high, b.low) }
        return a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
