import FuzzSupport
import JSON

/// Parses the input as JSON (any input must give a value or a `JSONError`, within the depth limit,
/// never a trap or a stack overflow), then checks the writer against the parser: the input read as
/// a string and written with each escaping option must parse back to the same string.
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(fuzzInput(data, size))
    _ = try? JSONValue.parse(bytes)
    _ = try? JSONValue.parse(bytes, maxDepth: 3, maxBytes: 256)
    let text = String(decoding: bytes, as: UTF8.self)
    for escaping in [JSONEscaping.plain, .goEncodingJSON, [.htmlSafe, .delete]] {
        let literal = JSONWriter.quoted(text, escaping: escaping)
        guard case .string(let back)? = try? JSONValue.parse(literal), back == text else {
            fatalError("the writer's \(literal.debugDescription) does not read back as the input")
        }
        if escaping.contains(.htmlSafe), literal.contains(where: { $0 == "<" || $0 == ">" || $0 == "&" }) {
            fatalError("HTML-safe output \(literal.debugDescription) carries markup")
        }
    }
    return 0
}

runFuzzer(fuzzJSON)
