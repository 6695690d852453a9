import CHiredis

/// Encodes commands as RESP multi-bulk requests with hiredis's `redisFormatCommandArgv`.
///
/// Arguments carry explicit lengths, so keys and values are binary-safe (NUL, CR LF, 0xFF and
/// kombu's `\x06\x16` priority separator all pass through unchanged).
public enum RESPCommandEncoder {
    /// The wire form of one command. An empty command is a programmer error and traps: Redis
    /// sends no reply to `*0`, so a pipeline containing one would wait for its read timeout.
    public static func encode(_ command: RedisCommand) -> [UInt8] {
        var out: [UInt8] = []
        encode(command, into: &out)
        return out
    }

    /// Appends the wire form of `command` to `buffer` (how a pipeline builds its single write).
    public static func encode(_ command: RedisCommand, into buffer: inout [UInt8]) {
        precondition(!command.isEmpty, "a Redis command needs at least one argument")
        // One contiguous copy of the arguments, then pointers into it for hiredis's argv.
        var flat: [UInt8] = []
        flat.reserveCapacity(command.reduce(0) { $0 + $1.count } + 1)
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(command.count)
        lengths.reserveCapacity(command.count)
        for argument in command {
            offsets.append(flat.count)
            lengths.append(argument.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)  // keeps baseAddress non-nil when every argument is empty
        flat.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    var target: UnsafeMutablePointer<CChar>?
                    // Int32 in hiredis 0.14.1, Int64 in 1.x: Int(...) compiles against both.
                    let count = Int(
                        redisFormatCommandArgv(&target, Int32(command.count), argv.baseAddress, argvlen.baseAddress))
                    guard count >= 0, let target else { fatalError("redisFormatCommandArgv failed (out of memory)") }
                    defer { redisFreeCommand(target) }
                    buffer.append(contentsOf: UnsafeRawBufferPointer(start: target, count: count))
                }
            }
        }
    }
}
