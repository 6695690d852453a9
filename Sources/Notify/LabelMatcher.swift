import Alerting

/// One route matcher as Alertmanager writes them: `name="value"`, `name!="value"`,
/// `name=~"regex"`, `name!~"regex"` (the value may also be unquoted, as Alertmanager accepts).
///
/// Regexes are fully anchored, as in Alertmanager (`^(?:re)$`), and use the same engine as the
/// rule evaluator's label matchers, so a matcher means the same thing in rules and routes.
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
    /// The values a label must have to match, when they are a few non-empty literals (see
    /// ``SilenceIndex/values(_:)``).
    let literalValues: [String]?

    /// A matcher from its parts; throws ``LabelRegexError`` for a bad regex.
    public init(name: String, op: Operator, value: String) throws {
        self.name = name
        self.op = op
        self.value = value
        self.regex = op == .regexMatch || op == .regexNoMatch ? try LabelRegex(value) : nil
        let alternatives = op == .regexMatch || op == .regexNoMatch ? SilenceIndex.literalAlternatives(value) : nil
        self.literals = alternatives.map(Set.init)
        switch op {
        case .equal: self.literalValues = value.isEmpty ? nil : [value]
        case .regexMatch: self.literalValues = alternatives?.contains("") == false ? alternatives : nil
        case .notEqual, .regexNoMatch: self.literalValues = nil
        }
    }

    /// Parses `a="b"` and friends; throws a description of what is wrong.
    public init(parsing text: String) throws(LabelMatcherParseError) {
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count, s[i] == " " { i += 1 }
        let nameStart = i
        while i < s.count, s[i].properties.isAlphabetic || s[i] == "_" || ("0"..."9").contains(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[nameStart..<i]))
        guard !name.isEmpty else {
            throw LabelMatcherParseError("expected a label name at the start of \(GoString.quote(text))")
        }
        while i < s.count, s[i] == " " { i += 1 }
        let rest = String(String.UnicodeScalarView(s[i...]))
        var op: Operator
        var afterOp: Substring
        if rest.hasPrefix("=~") {
            op = .regexMatch
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("!~") {
            op = .regexNoMatch
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("!=") {
            op = .notEqual
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("=") {
            op = .equal
            afterOp = rest.dropFirst(1)
        } else {
            throw LabelMatcherParseError("expected =, !=, =~ or !~ after \(name) in \(GoString.quote(text))")
        }
        var valueText = afterOp.drop(while: { $0 == " " })
        while valueText.last == " " { valueText = valueText.dropLast() }
        var value = ""
        if valueText.hasPrefix("\"") {
            guard valueText.count >= 2, valueText.hasSuffix("\"") else {
                throw LabelMatcherParseError("unterminated quoted value in \(GoString.quote(text))")
            }
            var escaped = false
            for c in valueText.dropFirst().dropLast() {
                if escaped {
                    switch c {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: value.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    throw LabelMatcherParseError("unescaped quote inside the value of \(GoString.quote(text))")
                } else {
                    value.append(c)
                }
            }
            if escaped { throw LabelMatcherParseError("dangling backslash in \(GoString.quote(text))") }
        } else {
            value = String(valueText)
            if value.contains("\"") { throw LabelMatcherParseError("stray quote in \(GoString.quote(text))") }
        }
        do {
            try self.init(name: name, op: op, value: value)
        } catch {
            throw LabelMatcherParseError("\(error)")
        }
    }

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

    /// Alertmanager's `Matcher.String()`: `name="value"` with `\`, newline and `"` escaped
    /// (OpenMetrics escaping); this text is part of group keys.
    public var alertmanagerText: String {
        var escaped = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            default: escaped.unicodeScalars.append(c)
            }
        }
        return "\(name)\(op.rawValue)\"\(escaped)\""
    }

    /// Equal when name, operator and value are equal (the compiled regex follows from them).
    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.name == b.name && a.op == b.op && a.value == b.value
    }

    /// Alertmanager's `Matchers.Less`: by name, then value (byte order), then operator.
    static func alertmanagerOrder(_ a: LabelMatcher, _ b: LabelMatcher) -> Bool {
        if a.name != b.name { return GoString.less(a.name, b.name) }
        if a.value != b.value { return GoString.less(a.value, b.value) }
        return a.op < b.op
    }
}
