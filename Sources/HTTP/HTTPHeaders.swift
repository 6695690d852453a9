/// Header fields in the order they arrived, looked up case-insensitively.
///
/// Kept as a list rather than a dictionary because field order and repeated fields carry
/// meaning (RFC 9110 §5.3), and a request has a dozen fields at most, so a linear scan beats
/// hashing lowercased copies.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields as (name, value) pairs, names as the peer spelled them, values without the
    /// surrounding whitespace.
    public private(set) var fields: [(name: String, value: String)]

    /// Headers from a list of pairs, kept in order.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Headers from a literal such as `["Host": "example"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Appends a field (repeats are kept, not replaced).
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Removes every field named `name` (any case).
    public mutating func remove(name: String) {
        fields.removeAll { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// The value of `name`; when the field is repeated, the values joined with `", "`, which
    /// RFC 9110 §5.3 makes equivalent for list-valued fields. Nil when absent.
    public subscript(name: String) -> String? {
        // One field, the usual case, is answered without building a list of values.
        guard let first = fields.firstIndex(where: { HTTPHeaders.namesEqual($0.name, name) }) else { return nil }
        guard fields[(first + 1)...].contains(where: { HTTPHeaders.namesEqual($0.name, name) }) else {
            return fields[first].value
        }
        return values(for: name).joined(separator: ", ")
    }

    /// Every value of `name`, in arrival order (empty when absent).
    public func values(for name: String) -> [String] {
        fields.lazy.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    /// How many fields are named `name` (any case).
    public func count(of name: String) -> Int {
        fields.reduce(0) { $0 + (HTTPHeaders.namesEqual($1.name, name) ? 1 : 0) }
    }

    /// True when a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// True when a comma-separated list field (`Connection`, `Transfer-Encoding`) contains
    /// `token`, compared case-insensitively.
    public func containsToken(_ token: String, in name: String) -> Bool {
        values(for: name).contains { value in
            value.split(separator: ",").contains { HTTPHeaders.namesEqual(trimmed($0), token) }
        }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Iterates over (name, value) pairs in order.
    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        fields.makeIterator()
    }

    /// Equal when the same fields, spelled the same, come in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// ASCII case-insensitive comparison without allocating lowercased copies.
    static func namesEqual<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            let lp = (p >= 65 && p <= 90) ? p | 0x20 : p
            let lq = (q >= 65 && q <= 90) ? q | 0x20 : q
            if lp != lq { return false }
        }
        return true
    }
}

/// `s` without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
func trimmed(_ s: Substring) -> Substring {
    var t = s
    while let c = t.first, c == " " || c == "\t" { t = t.dropFirst() }
    while let c = t.last, c == " " || c == "\t" { t = t.dropLast() }
    return t
}
