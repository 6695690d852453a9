extension String {
    /// ``excerpt`` with control characters escaped as Go quotes them (`\n`, `\t`, `\r`, `\x1b`,
    /// `\u0085`), so a piece of a rule file quoted in an error cannot break the log line or drive a
    /// terminal. Printable text reads exactly as ``excerpt``.
    var printableExcerpt: String { escapingControlCharacters.excerpt }

    /// The text with C0, DEL and C1 control characters and the Unicode line and paragraph
    /// separators (U+2028, U+2029) escaped; unchanged when it has none.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isControlCharacter) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard scalar.isControlCharacter else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let hex = String(scalar.value, radix: 16)
                out +=
                    scalar.value < 0x80
                    ? "\\x" + (hex.count == 1 ? "0" + hex : hex)
                    : "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// C0 (below 0x20), DEL, C1 (0x80-0x9F) and the line and paragraph separators: anything that
    /// can break a log line or drive a terminal.
    fileprivate var isControlCharacter: Bool {
        value < 0x20 || (value >= 0x7F && value < 0xA0) || value == 0x2028 || value == 0x2029
    }
}
