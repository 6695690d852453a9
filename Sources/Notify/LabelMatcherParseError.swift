/// Why a matcher string (`name="value"` in routes, inhibit rules and the API's `filter`) could
/// not be parsed. The text may come from an HTTP client, so ``description`` shows it only as a
/// quoted, escaped excerpt: one line, at most ``maximumExcerptScalars`` of it.
public struct LabelMatcherParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Equatable, Sendable {
        /// No label name at the start.
        case missingName
        /// The label name `name` is not followed by `=`, `!=`, `=~` or `!~`.
        case missingOperator(name: String)
        /// The value opens a quote it never closes.
        case unterminatedQuote
        /// A `"` inside a quoted value is not escaped.
        case unescapedQuote
        /// A quoted value ends in a lone `\`.
        case danglingBackslash
        /// An unquoted value contains `"`.
        case strayQuote
        /// The value of `=~` or `!~` is not a regular expression this exporter supports;
        /// `reason` is the regex compiler's message (it may quote the pattern).
        case invalidRegex(reason: String)
    }

    /// What is wrong.
    public let kind: Kind
    /// The matcher as written, whole; ``description`` shows an excerpt.
    public let matcher: String

    /// Scalars of the matcher (and of a label name or a regex message) a description shows.
    public static let maximumExcerptScalars = 64

    /// An error of `kind` for `matcher`.
    public init(_ kind: Kind, matcher: String) {
        self.kind = kind
        self.matcher = matcher
    }

    /// One line: what was expected, naming the matcher as a quoted excerpt.
    public var description: String {
        let quoted = GoString.quote(Self.excerpt(matcher, maximumScalars: Self.maximumExcerptScalars))
        switch kind {
        case .missingName: return "expected a label name at the start of \(quoted)"
        case .missingOperator(let name):
            let shown = Self.excerpt(name, maximumScalars: Self.maximumExcerptScalars)
            return "expected =, !=, =~ or !~ after \(shown) in \(quoted)"
        case .unterminatedQuote: return "unterminated quoted value in \(quoted)"
        case .unescapedQuote: return "unescaped quote inside the value of \(quoted)"
        case .danglingBackslash: return "dangling backslash in \(quoted)"
        case .strayQuote: return "stray quote in \(quoted)"
        case .invalidRegex(let reason):
            return Self.oneLine(Self.excerpt(reason, maximumScalars: 4 * Self.maximumExcerptScalars))
        }
    }

    /// The first `maximumScalars` scalars of `text`, `...` marking a cut.
    static func excerpt(_ text: String, maximumScalars: Int) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maximumScalars else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(maximumScalars - 3))) + "..."
    }

    /// `text` with control and line-breaking characters written as Go escapes (`\n`, `\x1b`),
    /// so a message that quotes outside text stays one line.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80..<0xA0).contains(v) || v == 0x2028 || v == 0x2029 {
                out += GoString.quote(String(scalar)).dropFirst().dropLast()
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
