/// Writes JSON text: the one JSON writer of the package. Strings are escaped per ``escaping``
/// (plain JSON, or Go `encoding/json`'s HTML-safe escaping); maps are written with their keys in
/// byte order, as Go sorts map keys, so with ``JSONEscaping/goEncodingJSON`` payloads are
/// byte-for-byte what Prometheus or Alertmanager would send. Everything else is verbatim UTF-8.
public struct JSONWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Which characters strings escape beyond what JSON requires.
    public let escaping: JSONEscaping

    /// An empty writer escaping strings per `escaping`.
    public init(escaping: JSONEscaping) { self.escaping = escaping }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `text` as is (punctuation, numbers the caller formatted, `null`).
    public mutating func raw(_ text: String) { bytes += text.utf8 }

    /// Appends `s` as a JSON string literal, quotes included.
    public mutating func string(_ s: String) { Self.appendQuoted(s, escaping: escaping, to: &bytes) }

    /// A `map[string]string`: keys sorted by byte order (as Go sorts map keys).
    public mutating func stringMap(_ map: [String: String]) {
        raw("{")
        for (i, key) in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if i > 0 { raw(",") }
            string(key)
            raw(":")
            string(map[key]!)
        }
        raw("}")
    }

    /// An object with fields in the given order (a Go struct).
    public mutating func object(_ fields: [(String, (inout JSONWriter) -> Void)]) {
        raw("{")
        for (i, field) in fields.enumerated() {
            if i > 0 { raw(",") }
            string(field.0)
            raw(":")
            field.1(&self)
        }
        raw("}")
    }

    /// `s` as a JSON string literal, quotes included (for callers that build text, not bytes).
    public static func quoted(_ s: String, escaping: JSONEscaping) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, escaping: escaping, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The escaper behind every string the writer emits.
    static func appendQuoted(_ s: String, escaping: JSONEscaping, to out: inout [UInt8]) {
        let htmlSafe = escaping.contains(.htmlSafe)
        let lineSafe = escaping.contains(.lineSafe)
        let delete = lineSafe || escaping.contains(.delete)
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += #"\""#.utf8
            case "\\": out += #"\\"#.utf8
            case "\n": out += #"\n"#.utf8
            case "\r": out += #"\r"#.utf8
            case "\t": out += #"\t"#.utf8
            case "\u{0}"..."\u{1F}": appendUnicodeEscape(scalar.value, to: &out)
            // One pattern per case: a `where` clause would guard only the last pattern of a list.
            case "\u{80}"..."\u{9F}" where lineSafe: appendUnicodeEscape(scalar.value, to: &out)
            case "\u{2028}", "\u{2029}":
                if htmlSafe || lineSafe {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            case "<", ">", "&":
                if htmlSafe {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            case "\u{7F}":
                if delete {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            default: UTF8.encode(scalar) { out.append($0) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\u` and four lowercase hex digits (every escaped scalar is below U+10000).
    private static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        out += #"\u"#.utf8
        for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int(value >> UInt32(shift) & 0xF)]) }
    }
}
