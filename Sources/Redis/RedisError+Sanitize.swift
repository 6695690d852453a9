extension RedisError {
    /// Bytes of server-provided text kept by ``sanitizedServerText(_:maximumBytes:)`` by default.
    public static let maximumServerTextBytes = 256

    /// `text` made safe to put in a log line, an error message or an HTTP response: control
    /// characters (C0, DEL and C1) are written as `\xNN` (`\n`, `\r`, `\t` as themselves escaped),
    /// and the result is cut at a character boundary to at most `maximumBytes` UTF-8 bytes, with
    /// `…` appended when anything was cut.
    ///
    /// Why: error replies and other text from Redis are chosen by whoever controls the server. Raw,
    /// a newline forges a log line, an ESC drives the reader's terminal, and a 50 MB error would be
    /// copied into every log line and readiness reason. Every description that carries such text
    /// goes through this one function. Work stops as soon as the budget is spent, so a huge input
    /// costs no more than a short one.
    public static func sanitizedServerText(_ text: String, maximumBytes: Int = maximumServerTextBytes) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, maximumBytes) + 3)
        var used = 0
        for scalar in text.unicodeScalars {
            let piece: String
            switch scalar.value {
            case 0x0A: piece = "\\n"
            case 0x0D: piece = "\\r"
            case 0x09: piece = "\\t"
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                piece = "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: piece = String(scalar)
            }
            let size = piece.utf8.count
            guard used + size <= maximumBytes else {
                result += "…"
                return result
            }
            result += piece
            used += size
        }
        return result
    }
}
