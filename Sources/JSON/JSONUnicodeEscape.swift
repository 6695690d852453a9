/// JSON's `\u` escape, read the same way by every JSON reader (``JSONValue/parse(_:maxDepth:maxBytes:)``
/// and Celery's result-meta scanner): four hex digits of either case; a high surrogate joined with a
/// following `\u` low surrogate; a lone surrogate (Python's `json.dumps` writes them) read as U+FFFD.
public enum JSONUnicodeEscape {
    /// Reads the scalar whose hex digits start at `index` (just past `\u`), leaving `index` after the
    /// escape, or after the second escape of a surrogate pair. A high surrogate followed by a second
    /// escape that is not a low surrogate reads as U+FFFD and leaves that escape to be read on its own.
    /// - Throws: ``JSONError/Kind/unexpectedEnd`` at the offset where the bytes ran out inside the
    ///   hex digits, ``JSONError/Kind/invalidEscape`` at a byte that is not a hex digit.
    @inlinable
    public static func scalar<Bytes: RandomAccessCollection<UInt8>>(
        in bytes: Bytes, at index: inout Int
    ) throws(JSONError) -> Unicode.Scalar where Bytes.Index == Int {
        let first = try hex4(in: bytes, at: &index)
        guard (0xD800...0xDBFF).contains(first) else { return Unicode.Scalar(first) ?? "\u{FFFD}" }
        // Bytes running out here are noticed by the caller, which still needs the closing quote.
        guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        else { return "\u{FFFD}" }
        let save = index
        index += 2
        let second = try hex4(in: bytes, at: &index)
        guard (0xDC00...0xDFFF).contains(second) else {
            index = save  // not a pair: the second escape is read on its own
            return "\u{FFFD}"
        }
        return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) ?? "\u{FFFD}"
    }

    /// Reads the four hex digits at `index` (a UTF-16 code unit), leaving `index` after them.
    /// - Throws: as ``scalar(in:at:)``.
    @inlinable
    public static func hex4<Bytes: RandomAccessCollection<UInt8>>(
        in bytes: Bytes, at index: inout Int
    ) throws(JSONError) -> UInt32 where Bytes.Index == Int {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.endIndex else { throw JSONError(.unexpectedEnd, at: index) }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b &- UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b &- UInt8(ascii: "a") &+ 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b &- UInt8(ascii: "A") &+ 10)
            default: throw JSONError(.invalidEscape, at: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
