/// Go's string semantics where Alertmanager's output depends on them: byte-wise ordering
/// (`sort.Strings`) and `strconv.Quote` (used by `%q` in group keys).
enum GoString {
    /// Byte-wise (UTF-8) comparison, as Go compares strings; Swift's `<` compares by Unicode
    /// canonical equivalence, which can order differently.
    static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `strconv.Quote`: double quotes, `\"` and `\\`, the C escapes for control characters,
    /// `\xNN` for other bytes below 0x20 and 0x7F, `\u`/`\U` for non-printable scalars; printable
    /// Unicode is kept as is.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, width: 2)
                } else if v >= 0x80 && v < 0xA0 || v == 0xAD || (v >= 0x2028 && v <= 0x2029) || v == 0xFEFF {
                    out += v <= 0xFFFF ? "\\u" + hex(v, width: 4) : "\\U" + hex(v, width: 8)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let d = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - d.count)) + d
    }
}
