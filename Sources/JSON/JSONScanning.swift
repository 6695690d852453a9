/// The byte-level steps every JSON reader takes the same way (``JSONValue/parse(_:maxDepth:maxBytes:)``
/// and Celery's result-meta scanner): whitespace, digits, the literals `true`, `false` and `null`.
/// Generic and inlinable, so a reader over an `UnsafeBufferPointer` stays allocation-free.
public enum JSONScanning {
    /// Moves `index` past JSON whitespace (space, tab, line feed, carriage return).
    @inlinable
    public static func skipWhitespace<Bytes: RandomAccessCollection<UInt8>>(
        in bytes: Bytes, at index: inout Int
    ) where Bytes.Index == Int {
        while index < bytes.endIndex {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Whether `b` is an ASCII digit.
    @inlinable
    public static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Reads `literal` at `index`, leaving `index` after it.
    /// - Throws: ``JSONError/Kind/unexpectedEnd`` where the bytes ran out inside it,
    ///   ``JSONError/Kind/unexpectedByte`` at the first byte that differs.
    @inlinable
    public static func expectLiteral<Bytes: RandomAccessCollection<UInt8>>(
        _ literal: StaticString, in bytes: Bytes, at index: inout Int
    ) throws(JSONError) where Bytes.Index == Int {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for b in expected {
            guard index < bytes.endIndex else { throw JSONError(.unexpectedEnd, at: index) }
            guard bytes[index] == b else { throw JSONError(.unexpectedByte, at: index) }
            index += 1
        }
    }
}
