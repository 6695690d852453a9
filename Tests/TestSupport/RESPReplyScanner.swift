/// Just enough RESP for the test harness's raw-socket client (``RedisServer/command(_:)``):
/// encoding a command, and finding where one complete reply ends in bytes received so far. It
/// is deliberately independent of the `Redis` module under test.
public enum RESPReplyScanner {
    /// The most bytes the harness reads for one reply (its byte budget).
    public static let maxReplyBytes = 512 * 1024 * 1024
    /// The deepest nesting of arrays accepted.
    static let maxDepth = 64

    /// `arguments` as a RESP array of bulk strings.
    public static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var payload: [UInt8] = Array("*\(arguments.count)\r\n".utf8)
        for a in arguments { payload += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
        return payload
    }

    /// The index just past the complete reply starting at `start` in `bytes`, or nil when more
    /// bytes are needed. Malformed input counts as complete at its first line, so the caller
    /// returns it as-is rather than waiting for more.
    public static func end(of bytes: [UInt8], from start: Int) -> Int? {
        end(of: bytes, from: start, depth: 0)
    }

    private static func end(of bytes: [UInt8], from start: Int, depth: Int) -> Int? {
        guard start < bytes.count, let lineEnd = lineEnd(bytes, from: start) else { return nil }
        let afterLine = lineEnd + 2
        let header = String(decoding: bytes[(start + 1)..<lineEnd], as: UTF8.self)
        switch bytes[start] {
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):  // bulk (RESP3: verbatim, error)
            guard let length = Int(header), length >= 0 else { return afterLine }  // $-1: null
            let end = afterLine + length + 2
            return bytes.count >= end ? end : nil
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            guard let count = Int(header), count >= 0, depth < maxDepth else { return afterLine }  // *-1: null
            let elements = bytes[start] == UInt8(ascii: "%") ? count * 2 : count
            var position = afterLine
            for _ in 0..<elements {
                guard let next = end(of: bytes, from: position, depth: depth + 1) else { return nil }
                position = next
            }
            return position
        default:  // + - : _ , # ( and anything else: one line
            return afterLine
        }
    }

    /// The index of the `\r` of the first `\r\n` at or after `start`.
    private static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }
}
