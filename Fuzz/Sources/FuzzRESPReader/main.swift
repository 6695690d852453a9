import FuzzSupport
import Redis

/// Feeds the input to the RESP reader in chunks whose sizes come from the first byte, taking
/// replies out after each: no input may trap, allocate past the limits or loop.
func fuzzRESPReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzInput(data, size))
    guard let first = input.first else { return 0 }
    let chunk = Int(first % 16) + 1
    let reader = RESPReader(
        maximumReplyBytes: 64 * 1024, maximumAggregateElements: 1024, maximumNestingDepth: 7)
    var offset = 1
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        do {
            try reader.feed(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
            while try reader.next() != nil {}
        } catch {
            return 0
        }
        offset = end
    }
    return 0
}

runFuzzer(fuzzRESPReader)
