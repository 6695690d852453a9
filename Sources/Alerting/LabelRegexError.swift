/// A label-matcher regular expression that does not compile, with the construct at fault.
public struct LabelRegexError: Error, CustomStringConvertible, Equatable {
    /// The pattern as written.
    public let pattern: String
    /// What is wrong with it.
    public let problem: String

    /// `invalid regular expression "…": <problem>`.
    public var description: String { "invalid regular expression \"\(pattern.excerpt)\": \(problem)" }
}
