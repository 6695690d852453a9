/// One label matcher: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. The one
/// matcher type of the package: rule selectors (`metric{queue=~"a|b"}`), Alertmanager routes,
/// inhibit rules, silences and the API's `filter` all use it, so a matcher means the same thing
/// everywhere.
///
/// A missing label matches as the empty string (as in Prometheus and Alertmanager); regexes are
/// fully anchored (`^(?:re)$`) and run on ``LabelRegex``. Alertmanager's text form (parsing,
/// `Matcher.String()`, ordering) is Notify's extension `LabelMatcher+Alertmanager.swift`.
public struct LabelMatcher: Sendable, Equatable {
    /// The comparison.
    public enum Operator: String, Sendable, Equatable, Comparable {
        /// `=`: the label equals the value.
        case equal = "="
        /// `!=`: the label differs from the value.
        case notEqual = "!="
        /// `=~`: the whole label matches the regex.
        case regexMatch = "=~"
        /// `!~`: the whole label does not match the regex.
        case regexNoMatch = "!~"

        /// Alertmanager's `MatchType` order (=, !=, =~, !~), used to sort matchers like it does.
        var rank: Int {
            switch self {
            case .equal: return 0
            case .notEqual: return 1
            case .regexMatch: return 2
            case .regexNoMatch: return 3
            }
        }

        /// Orders operators as Alertmanager's `MatchType` values are ordered.
        public static func < (a: Operator, b: Operator) -> Bool { a.rank < b.rank }
    }

    /// The label name.
    public let name: String
    /// The comparison.
    public let op: Operator
    /// The value or the regex source.
    public let value: String
    private let regex: LabelRegex?
    /// For `=~` and `!~`, the alternatives when the regex is only literals (`a|b`): matched
    /// as a set, not by the regex engine (silence matching runs per poll, over every alert).
    let literals: Set<String>?
    /// The values a label must have to match, when they are a few non-empty literals: `=` with a
    /// non-empty value, or `=~` of literal alternatives none of which is empty (an empty value
    /// also matches a missing label). Silences are indexed by them; regexes are anchored, so
    /// `=~"a|b"` matches exactly `a` and `b`.
    public let literalValues: [String]?

    /// A matcher from its parts; throws ``LabelRegexError`` for a bad regex.
    public init(name: String, op: Operator, value: String) throws(LabelRegexError) {
        let regex = op == .regexMatch || op == .regexNoMatch ? try LabelRegex(value) : nil
        self.init(name: name, op: op, value: value, regex: regex)
    }

    /// `name="value"`: an equality matcher, which has no regular expression that could fail.
    init(name: String, equalTo value: String) {
        self.init(name: name, op: .equal, value: value, regex: nil)
    }

    private init(name: String, op: Operator, value: String, regex: LabelRegex?) {
        self.name = name
        self.op = op
        self.value = value
        self.regex = regex
        let alternatives = op == .regexMatch || op == .regexNoMatch ? LabelMatcher.literalAlternatives(value) : nil
        self.literals = alternatives.map(Set.init)
        switch op {
        case .equal: self.literalValues = value.isEmpty ? nil : [value]
        case .regexMatch: self.literalValues = alternatives?.contains("") == false ? alternatives : nil
        case .notEqual, .regexNoMatch: self.literalValues = nil
        }
    }

    /// The alternatives of a regex that is only literals separated by `|` (no other RE2
    /// metacharacter), duplicates dropped; nil for any other regex.
    public static func literalAlternatives(_ regex: String) -> [String]? {
        // RE2's metacharacters besides `|`.
        let meta = Set("\\.+*?()[]{}^$".utf8)
        guard !regex.utf8.contains(where: { meta.contains($0) }) else { return nil }
        var seen = Set<String>()
        return regex.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            .filter { seen.insert($0).inserted }
    }

    /// Instructions of the compiled regex, 0 for `=`, `!=` and literal alternatives (matched as a
    /// set): matching one value costs up to its length times this.
    public var regexProgramSize: Int { literals == nil ? regex?.programSize ?? 0 : 0 }

    /// Whether `labels` satisfy this matcher (a missing label is the empty string, as in Alertmanager).
    public func matches(_ labels: [String: String]) -> Bool {
        let v = labels[name] ?? ""
        switch op {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return literals?.contains(v) ?? regex!.matches(v)
        case .regexNoMatch: return !(literals?.contains(v) ?? regex!.matches(v))
        }
    }

    /// Equal when name, operator and value are equal (the compiled regex follows from them).
    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.name == b.name && a.op == b.op && a.value == b.value
    }
}
