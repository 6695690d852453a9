import JSON

/// Decodes the fields the exporter needs from the first and last bytes of a kombu message too large
/// to read whole (see ``ValueReadBudget``).
///
/// kombu serialises the message dict in insertion order, `body` first:
/// `{"body": "<base64, any size>", "content-encoding": …, "headers": {…}, "properties": {…}}`, and an
/// `unacked` value wraps it as `[message, exchange, routing_key]`. Celery caps `argsrepr` and
/// `kwargsrepr` at 1024 characters, so `headers` and `properties` fit in a tail of a few KiB. The
/// decoder looks for the `"headers"` and `"properties"` objects in the head and in the tail and parses
/// each one it finds complete; for an `unacked` value it also reads the two trailing strings.
/// Anything cut or malformed is simply not found: the caller counts the message as unread.
enum KombuFragments {
    /// Occurrences of one key tried per slice, so hostile input cannot make the scan quadratic.
    static let maxCandidates = 8

    /// The message fields found in `head` and `tail`; nil when neither `headers` nor `properties`
    /// could be read.
    static func message(head: [UInt8], tail: [UInt8]) -> KombuMessage? {
        var members: [String: JSONValue] = [:]
        for name in ["headers", "properties"] {
            if let object = object(named: name, in: tail) ?? object(named: name, in: head) {
                members[name] = object
            }
        }
        guard !members.isEmpty else { return nil }
        return try? KombuMessage(json: .object(members))
    }

    /// An `unacked` value's message fields and routing key; nil when the routing key (the queue)
    /// could be read neither from the trailing `, "exchange", "routing_key"]` nor from
    /// `properties.delivery_info.routing_key`.
    static func unackedEntry(head: [UInt8], tail: [UInt8]) -> KombuUnackedEntry? {
        let message = KombuFragments.message(head: head, tail: tail)
        if let trailer = trailingStrings(tail) {
            return KombuUnackedEntry(
                message: message ?? KombuMessage(), exchange: trailer.exchange, routingKey: trailer.routingKey)
        }
        guard let message, let queue = message.routingKey else { return nil }
        return KombuUnackedEntry(message: message, exchange: message.exchange ?? "", routingKey: queue)
    }

    /// The object value of the first complete `"name": {…}` in `bytes`.
    static func object(named name: String, in bytes: [UInt8]) -> JSONValue? {
        let needle = Array("\"\(name)\"".utf8)
        var from = 0
        var tried = 0
        while tried < maxCandidates, let at = find(needle, in: bytes, from: from) {
            tried += 1
            from = at + needle.count
            var i = skipWhitespace(bytes, from)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { continue }
            i = skipWhitespace(bytes, i + 1)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "{"), let end = matchingBrace(bytes, from: i) else {
                continue
            }
            if let value = try? JSONValue.parse(Array(bytes[i...end])), case .object = value { return value }
        }
        return nil
    }

    /// The last two JSON strings of `… }, "exchange", "routing_key"]`, read backwards.
    static func trailingStrings(_ bytes: [UInt8]) -> (exchange: String, routingKey: String)? {
        var i = skipWhitespaceBackwards(bytes, bytes.count - 1)
        guard i >= 0, bytes[i] == UInt8(ascii: "]") else { return nil }
        var strings: [String] = []
        for k in 0..<2 {
            i = skipWhitespaceBackwards(bytes, i - 1)
            guard i >= 0, bytes[i] == UInt8(ascii: "\""), let open = openingQuote(bytes, closing: i),
                case .string(let s)? = try? JSONValue.parse(Array(bytes[open...i]))
            else { return nil }
            strings.append(s)
            i = skipWhitespaceBackwards(bytes, open - 1)
            guard i >= 0, bytes[i] == UInt8(ascii: ",") else { return nil }
            if k == 1 {
                i = skipWhitespaceBackwards(bytes, i - 1)
                guard i >= 0, bytes[i] == UInt8(ascii: "}") else { return nil }
            }
        }
        return (exchange: strings[1], routingKey: strings[0])
    }

    // MARK: - Scanning

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count, from <= bytes.count - needle.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Index of the `}` closing the object that opens at `from`, skipping strings; nil when cut.
    private static func matchingBrace(_ bytes: [UInt8], from: Int) -> Int? {
        var depth = 0
        var inString = false
        var i = from
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\") {
                    i += 1
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return b == UInt8(ascii: "}") ? i : nil }
            }
            i += 1
        }
        return nil
    }

    /// Index of the unescaped `"` opening the string that `closing` ends.
    private static func openingQuote(_ bytes: [UInt8], closing: Int) -> Int? {
        var j = closing - 1
        while j >= 0 {
            if bytes[j] == UInt8(ascii: "\"") {
                var backslashes = 0
                var k = j - 1
                while k >= 0, bytes[k] == UInt8(ascii: "\\") {
                    backslashes += 1
                    k -= 1
                }
                if backslashes % 2 == 0 { return j }
            }
            j -= 1
        }
        return nil
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ from: Int) -> Int {
        var i = from
        while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
        return i
    }

    private static func skipWhitespaceBackwards(_ bytes: [UInt8], _ from: Int) -> Int {
        var i = from
        while i >= 0, isWhitespace(bytes[i]) { i -= 1 }
        return i
    }
}
