/// Writes JSON text exactly as Go's `encoding/json` does for Alertmanager's structs, so our
/// payloads are byte-for-byte what an Alertmanager would send: object keys of maps sorted by
/// byte order, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, control characters as
/// `\n`, `\r`, `\t` or `\u00XX`, everything else verbatim UTF-8.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ text: String) { bytes += text.utf8 }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            case "\n": raw("\\n")
            case "\r": raw("\\r")
            case "\t": raw("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}": raw(unicodeEscape(scalar.value))
            default:
                if scalar.value < 0x20 {
                    raw(unicodeEscape(scalar.value))
                } else {
                    bytes += String(scalar).utf8
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A `map[string]string` (keys sorted, as Go sorts map keys).
    mutating func stringMap(_ map: [String: String]) {
        raw("{")
        for (i, key) in map.keys.sorted(by: GoString.less).enumerated() {
            if i > 0 { raw(",") }
            string(key)
            raw(":")
            string(map[key]!)
        }
        raw("}")
    }

    /// An object with fields in the given order (a Go struct).
    mutating func object(_ fields: [(String, (inout JSONWriter) -> Void)]) {
        raw("{")
        for (i, field) in fields.enumerated() {
            if i > 0 { raw(",") }
            string(field.0)
            raw(":")
            field.1(&self)
        }
        raw("}")
    }

    private func unicodeEscape(_ v: UInt32) -> String {
        let d = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - d.count) + d
    }
}
