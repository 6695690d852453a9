/// The one place that knows how kombu's Redis transport names keys (checked against real
/// Celery by Tests/CeleryIntegrationTests).
///
/// - A queue `q` is the list `<prefix>q`; priority step `N` ≠ 0 lives in `<prefix>q SEP N`.
///   Producers and workers choose their `priority_steps` independently, so every step 0–9 is read.
/// - `<prefix>unacked` (hash) and `<prefix>unacked_index` (zset) hold delivered, unacked messages.
/// - `<prefix>_kombu.binding.<exchange>` (set) is the routing table used to discover queues.
///
/// `global_keyprefix` applies to every key, bindings and unacked included, but never to values
/// inside sets (observed in phase H), so binding members carry bare queue names.
public struct KombuKeyLayout: Sendable, Equatable {
    /// The priority steps read for every queue. Step 0 is the bare queue name.
    public static let priorityLevels: ClosedRange<Int> = 0...9

    /// Exchanges whose bindings name fanout/pidbox queues that never exist as lists (they are
    /// delivered over Pub/Sub), so discovery skips them.
    public static let fanoutExchanges: Set<String> = ["celery.pidbox", "reply.celery.pidbox", "celeryev"]

    /// `global_keyprefix` as bytes (empty for none).
    public let prefix: [UInt8]
    /// kombu's separator, `\x06\x16` by default.
    public let separator: [UInt8]

    private static let bindingInfix: [UInt8] = Array("_kombu.binding.".utf8)

    /// Creates the layout for a key prefix and separator.
    public init(prefix: String = "", separator: [UInt8] = [0x06, 0x16]) {
        self.prefix = Array(prefix.utf8)
        self.separator = separator
    }

    /// The list key of `queue` at priority `step` (`<prefix>queue` for 0, `<prefix>queue SEP step` otherwise).
    public func queueKey(_ queue: String, priority step: Int = 0) -> [UInt8] {
        var key = prefix + Array(queue.utf8)
        if step != 0 { key += separator + Array(String(step).utf8) }
        return key
    }

    /// `<prefix>unacked`: hash of delivery tag → `[message, exchange, routing_key]`.
    public var unackedKey: [UInt8] { prefix + Array("unacked".utf8) }

    /// `<prefix>unacked_index`: zset of delivery tag scored by the worker's fetch time (Unix seconds).
    public var unackedIndexKey: [UInt8] { prefix + Array("unacked_index".utf8) }

    /// `<prefix>celery-task-meta-`: the result backend's per-task key, followed by the task id.
    public var resultMetaKeyPrefix: [UInt8] { prefix + Array("celery-task-meta-".utf8) }

    /// The `SCAN … MATCH` pattern of the result census: the escaped prefix, then `celery-task-meta-*`.
    /// It does not match `celery-taskset-meta-*` (groups and chords).
    public var resultMetaScanPattern: [UInt8] {
        KombuKeyLayout.escapeGlob(prefix) + Array("celery-task-meta-*".utf8)
    }

    /// `<prefix>_kombu.binding.<exchange>`.
    public func bindingKey(exchange: String) -> [UInt8] {
        prefix + KombuKeyLayout.bindingInfix + Array(exchange.utf8)
    }

    /// The `SCAN … MATCH` pattern for binding tables: the prefix with glob metacharacters escaped,
    /// then `_kombu.binding.*`. It cannot match `_kombu.binding_permanent.*` or
    /// `_kombu.binding_deadlines` (kombu ≥ 5.7): `.` and `_` differ after `binding`.
    public var bindingScanPattern: [UInt8] {
        KombuKeyLayout.escapeGlob(prefix) + KombuKeyLayout.bindingInfix + [UInt8(ascii: "*")]
    }

    /// The exchange named by a binding table key returned from SCAN; nil when the key does not start
    /// with the prefix and `_kombu.binding.`, when the exchange is empty or not UTF-8.
    public func exchange(fromBindingKey key: [UInt8]) -> String? {
        let head = prefix + KombuKeyLayout.bindingInfix
        guard key.count > head.count, key.starts(with: head) else { return nil }
        return String(validating: key[head.count...], as: UTF8.self)
    }

    /// Splits a binding member on the separator. Nil unless there are exactly three fields, all
    /// UTF-8, with a non-empty queue (kombu itself unpacks exactly three).
    public func decodeBindingMember(_ member: [UInt8]) -> KombuBinding? {
        let fields = KombuKeyLayout.split(member, on: separator)
        guard fields.count == 3,
            let routingKey = String(validating: fields[0], as: UTF8.self),
            let pattern = String(validating: fields[1], as: UTF8.self),
            let queue = String(validating: fields[2], as: UTF8.self),
            !queue.isEmpty
        else { return nil }
        return KombuBinding(routingKey: routingKey, pattern: pattern, queue: queue)
    }

    /// True for the pidbox/celeryev exchanges discovery skips.
    public static func isFanoutExchange(_ exchange: String) -> Bool {
        fanoutExchanges.contains(exchange)
    }

    /// True for fanout queue names that never exist as lists: `<worker>.celery.pidbox`,
    /// `<uuid>.reply.celery.pidbox` and `celeryev.<uuid>`.
    public static func isFanoutQueue(_ queue: String) -> Bool {
        queue.hasSuffix(".celery.pidbox") || queue.hasPrefix("celeryev.") || queue == "celery.pidbox"
            || queue == "reply.celery.pidbox"
    }

    /// Escapes Redis glob metacharacters (`*`, `?`, `[`, `]`, `\`) with a backslash, so a prefix
    /// such as `app[1]:` matches itself literally in `SCAN MATCH`.
    public static func escapeGlob(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            switch b {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
            default: break
            }
            out.append(b)
        }
        return out
    }

    /// Splits `bytes` on every occurrence of `separator` (an empty separator yields one field).
    static func split(_ bytes: [UInt8], on separator: [UInt8]) -> [ArraySlice<UInt8>] {
        guard !separator.isEmpty else { return [bytes[...]] }
        var fields: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i + separator.count <= bytes.count {
            if bytes[i..<(i + separator.count)].elementsEqual(separator) {
                fields.append(bytes[start..<i])
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        fields.append(bytes[start...])
        return fields
    }
}
