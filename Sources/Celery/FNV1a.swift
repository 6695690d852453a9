/// 64-bit FNV-1a: a small, dependency-free hash with a stable value across processes (Swift's
/// `Hasher` is seeded per process). Used to key the result census by task-meta key name: with 10⁶
/// keys a collision has a probability of about 3·10⁻⁸ and would only merge two keys' counts.
enum FNV1a {
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}
