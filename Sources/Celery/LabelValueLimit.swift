import Synchronization

/// Bounds the length of label values that come from Redis: queue names (bindings), worker host
/// names (heartbeats) and task names (messages, events, metas).
///
/// Anyone who can write to Redis or publish on its channels chooses these names, and Redis allows
/// keys and values of 512 MB: one 1 MB queue name used to make `/metrics` 8 MB (it is repeated in
/// every per-queue family) and the process 89 MB. Names longer than ``maxBytes`` become their first
/// ``prefixBytes`` bytes (cut at a Unicode scalar boundary, so the value stays valid UTF-8), then
/// `…` and 8 hex digits of a 64-bit FNV-1a hash of the whole name folded to 32 bits, so two long
/// names that share a prefix stay two distinct series (a collision between two such names has a
/// probability of about 2⁻³²). Shorter names are returned unchanged.
///
/// Why 256 bytes: real names are far shorter. Celery node names are `name@hostname` with Linux
/// host names of at most 64 bytes (`HOST_NAME_MAX`); task names are dotted Python paths and queue
/// names are identifiers, typically under 100 bytes. 256 leaves room for unusual ones while
/// keeping the worst case small: a series with a 256-byte label costs about 300 bytes of exposition,
/// so the queue families at 10,000 queues stay in the tens of megabytes rather than gigabytes.
public enum LabelValueLimit {
    /// Longest label value kept as is, in UTF-8 bytes; also the longest value ``capped(_:kind:)`` returns.
    public static let maxBytes = 256
    /// What marks a shortened value (U+2026, 3 bytes in UTF-8).
    public static let marker = "\u{2026}"
    /// Bytes of the original name kept in a shortened value: room for the marker and 8 hex digits.
    public static let prefixBytes = maxBytes - 3 - 8

    /// Where a shortened name came from: the `kind` label of
    /// `celery_redis_label_values_truncated_total`.
    public enum Kind: String, Sendable, CaseIterable {
        /// A queue name from kombu's bindings.
        case queue
        /// A worker node name from a heartbeat.
        case worker
        /// A task name from a message header, an event or a result meta.
        case task
        /// An exception type name from a result meta's `exc_type` or a `task-failed` event.
        case exception
    }

    /// Whether `name` is longer than ``maxBytes`` and would be shortened.
    public static func needsCapping(_ name: String) -> Bool { name.utf8.count > maxBytes }

    /// `name` unchanged when it is at most ``maxBytes`` bytes long; otherwise its shortened form
    /// (see the type's documentation). Pure: the same name always gives the same value.
    public static func capped(_ name: String) -> String {
        guard needsCapping(name) else { return name }
        var prefix = ""
        var used = 0
        for scalar in name.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > prefixBytes { break }
            prefix.unicodeScalars.append(scalar)
            used += size
        }
        let hash = FNV1a.hash(name.utf8)
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return prefix + marker + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Counts of distinct names shortened, by kind, for the whole process (each table that admits a
    /// name counts it once, when it is admitted).
    public static let truncations = TruncationCounter()

    /// Process-wide counters behind `celery_redis_label_values_truncated_total`.
    public final class TruncationCounter: Sendable {
        private let counts = Mutex<[Kind: UInt64]>([:])

        /// Adds one shortened name of `kind`.
        public func record(_ kind: Kind) {
            counts.withLock { $0[kind, default: 0] += 1 }
        }

        /// Shortened names of `kind` so far.
        public func count(_ kind: Kind) -> UInt64 {
            counts.withLock { $0[kind] ?? 0 }
        }
    }
}
