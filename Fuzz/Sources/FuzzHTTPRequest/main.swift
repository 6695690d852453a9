import FuzzSupport
import HTTP

/// Feeds the input to the HTTP/1.1 request parser in two pieces (split where the first byte says)
/// and takes requests out until it wants more or fails: no input may trap or loop.
func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard let first = input.first else { return 0 }
    let body = input.dropFirst()
    let split = body.isEmpty ? 0 : Int(first) % (body.count + 1)
    var parser = HTTPRequestParser(maxHeaderBytes: 4096, maxBodyBytes: 4096)
    for piece in [body.prefix(split), body.dropFirst(split)] {
        parser.append(contentsOf: piece)
        for _ in 0..<1000 {
            if case .request = parser.next() { continue }
            break
        }
    }
    return 0
}

runFuzzer(fuzzHTTPRequest)
