/// A label-matcher regular expression that does not compile, with the construct at fault. Every
/// case concerns one pattern, so it is a struct: the pattern and a ``Kind``.
public struct LabelRegexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the pattern.
    public enum Kind: Equatable, Sendable {
        /// A `)` without its `(` at this scalar offset.
        case unexpectedClosingParenthesis(offset: Int)
        /// `*`, `+`, `?` (or a counted repetition) with nothing before it.
        case missingRepetitionArgument(String)
        /// A repetition operator directly after another (`a**`).
        case nestedRepetition(String)
        /// A counted repetition over 1000.
        case repeatCountTooLarge
        /// A counted repetition whose maximum is below its minimum.
        case invalidRepeatCount(minimum: Int, maximum: Int)
        /// Groups nested deeper than ``LabelRegex/maximumNesting``.
        case groupsTooDeep
        /// `(?` other than `(?:` (flags, named groups); the construct's first characters.
        case unsupportedGroupSyntax(String)
        /// A `(` without its `)`.
        case missingClosingParenthesis
        /// A `\` at the end of the pattern.
        case trailingBackslash
        /// A backslash before a letter or digit RE2 escapes we do not know (the escaped character).
        case unsupportedEscape(String)
        /// A `[` without its `]`.
        case missingClosingBracket
        /// `[[:alpha:]]` and friends.
        case posixClass
        /// `\D`, `\W`, `\S` inside a character class.
        case negatedEscapeInClass
        /// A class range whose end is below its start, or whose ends are not characters.
        case invalidClassRange
        /// The compiled program would exceed ``LabelRegex/maximumInstructions``.
        case tooLarge
    }

    /// The pattern as written.
    public let pattern: String
    /// What is wrong with it.
    public let kind: Kind

    /// Creates an error about `pattern`.
    public init(pattern: String, kind: Kind) {
        self.pattern = pattern
        self.kind = kind
    }

    /// What is wrong, without the pattern (as RE2 words it, where it has the construct).
    public var problem: String {
        switch kind {
        case .unexpectedClosingParenthesis(let offset): return "unexpected ')' at offset \(offset)"
        case .missingRepetitionArgument(let op): return "missing argument to repetition operator '\(op)'"
        case .nestedRepetition(let op): return "invalid nested repetition operator '\(op)'"
        case .repeatCountTooLarge: return "invalid repeat count (at most 1000)"
        case .invalidRepeatCount(let minimum, let maximum): return "invalid repeat count {\(minimum),\(maximum)}"
        case .groupsTooDeep: return "groups nested too deep (at most \(LabelRegex.maximumNesting) levels)"
        case .unsupportedGroupSyntax(let construct):
            return "unsupported group syntax '\(construct)' (flags and named groups are not supported)"
        case .missingClosingParenthesis: return "missing closing )"
        case .trailingBackslash: return "trailing backslash at end of expression"
        case .unsupportedEscape(let escaped): return "unsupported escape sequence '\\\(escaped)'"
        case .missingClosingBracket: return "missing closing ]"
        case .posixClass: return "POSIX character classes like [[:alpha:]] are not supported"
        case .negatedEscapeInClass: return "negated escapes like \\D inside a class are not supported"
        case .invalidClassRange: return "invalid character class range"
        case .tooLarge:
            return "regular expression too large (its program would exceed "
                + "\(LabelRegex.maximumInstructions) instructions; nested counted repetitions multiply)"
        }
    }

    /// `invalid regular expression "…": <problem>` (the pattern as a one-line excerpt).
    public var description: String { "invalid regular expression \"\(pattern.printableExcerpt)\": \(problem)" }
}
