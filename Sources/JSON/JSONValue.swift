/// A parsed JSON document: kombu messages in Redis (list elements, `unacked` hash values), Celery
/// events, Alertmanager API silences and the silences file.
///
/// The package uses no Foundation, so it carries its own small parser,
/// ``JSONValue/parse(_:maxDepth:maxBytes:)``, bounded in nesting and in input size.
/// Objects keep the last value of a duplicated key, as Python's `json.loads` does.
public enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number. Every JSON number is held as a `Double` (integers are exact up to 2^53, which covers
    /// retries, priorities and epoch seconds). Python's `NaN`/`Infinity` literals are accepted.
    case number(Double)
    /// A string, with escapes resolved.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The default nesting limit of ``parse(_:maxDepth:)``. Kombu messages nest 4 levels deep
    /// (`[ {properties: {delivery_info: {…}}} ]`); 64 leaves room for application headers.
    public static let defaultMaxDepth = 64

    /// The default byte budget of ``parse(_:maxDepth:maxBytes:)``: 64 MiB, the largest reply the
    /// Redis client accepts (`RedisConfiguration.defaultMaximumReplyBytes`), so no caller's input is
    /// refused by it today; it is the last line, behind each caller's own, smaller budget.
    public static let defaultMaxBytes = 64 << 20

    /// Parses `bytes` (UTF-8 JSON). Never traps: truncated, non-JSON, too deeply nested input,
    /// input longer than `maxBytes` and numbers beyond `Double` range come back as a ``JSONError``.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, maxBytes: Int = defaultMaxBytes
    ) throws(JSONError) -> JSONValue {
        guard bytes.count <= maxBytes else { throw JSONError(.tooLarge, at: max(0, maxBytes)) }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses the UTF-8 bytes of `text`.
    public static func parse(
        _ text: String, maxDepth: Int = defaultMaxDepth, maxBytes: Int = defaultMaxBytes
    ) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth, maxBytes: maxBytes)
    }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The text of a string value; nil otherwise.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of a number; nil otherwise.
    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// A number that is a whole value representable as `Int`; nil otherwise (fractions, NaN, overflow).
    public var intValue: Int? {
        guard case .number(let d) = self, d.isFinite, d.rounded(.towardZero) == d,
            d >= -9.0e15, d <= 9.0e15
        else { return nil }
        return Int(d)
    }

    /// The value of a boolean; nil otherwise.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The elements of an array; nil otherwise.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members of an object; nil otherwise.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }
}
