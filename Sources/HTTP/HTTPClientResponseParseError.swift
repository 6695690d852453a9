/// Why a response could not be parsed.
public struct HTTPClientResponseParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
