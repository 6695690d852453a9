/// Why ``JSONValue/parse(_:maxDepth:maxBytes:)`` rejected its input, with the byte offset where it noticed.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of malformed input.
    public enum Kind: String, Equatable, Sendable {
        /// The input ended inside a value (truncated message, empty input).
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedByte
        /// A number that does not follow the JSON grammar.
        case invalidNumber
        /// A number too large for `Double` (it would read as infinity).
        case numberOutOfRange
        /// A backslash escape JSON does not define, or a bad `\u` sequence.
        case invalidEscape
        /// A raw control character (below 0x20) inside a string.
        case controlCharacterInString
        /// Arrays and objects nested deeper than the parser's limit.
        case tooDeep
        /// Bytes after the end of the top-level value.
        case trailingData
        /// The input is longer than the parser's byte budget (nothing of it was parsed).
        case tooLarge
    }

    /// What went wrong.
    public let kind: Kind
    /// Byte offset into the input.
    public let offset: Int

    /// Creates an error of `kind` at `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// `"<kind> at byte <offset>"` (no input text, which may be large or sensitive).
    public var description: String { "\(kind.rawValue) at byte \(offset)" }
}
