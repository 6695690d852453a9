/// Why a route matcher string could not be parsed.
public struct LabelMatcherParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, quoting the matcher.
    public let description: String
    init(_ description: String) { self.description = description }
}
