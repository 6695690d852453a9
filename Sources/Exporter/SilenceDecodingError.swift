/// A silence (or a silences filter) that the Alertmanager API, or the silences file, cannot
/// take. The text is short, safe to return to the client, and never echoes the input: it names
/// the field (`matchers[2].name`) and what was expected.
enum SilenceDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The silence is not a JSON object.
    case notAnObject
    /// The silences file holds something else than a JSON list.
    case notAList
    /// A required field (`comment`, `startsAt`, ...) is missing or null.
    case missing(field: String)
    /// A field is not a string.
    case notAString(field: String)
    /// A time field is not an RFC 3339 time.
    case notATime(field: String)
    /// `matchers` is missing or not a list.
    case matchersMissing
    /// `matchers` is empty.
    case noMatchers
    /// More matchers than a silence may have.
    case tooManyMatchers(count: Int, limit: Int)
    /// Matcher `index` has no string `name` and `value`.
    case matcherIncomplete(index: Int)
    /// Matcher `index`'s name is not a label name.
    case invalidLabelName(index: Int)
    /// Matcher `index` has no boolean `isRegex`.
    case isRegexMissing(index: Int)
    /// Matcher `index`'s value is not a regular expression the matcher engine supports;
    /// `reason` is the regex compiler's own error (it quotes the pattern only as an excerpt).
    case unsupportedRegex(index: Int, reason: String)
    /// Comment, creator and matchers together are over `limit` bytes.
    case tooLarge(limit: Int)
    /// Every matcher matches the empty string (the silence would mute almost everything).
    case matchesEverything
    /// The `id` is longer than `limit` bytes.
    case idTooLong(limit: Int)
    /// A `filter` query with more than `limit` matchers.
    case tooManyFilterMatchers(limit: Int)

    /// The `reason` label of `celery_redis_silences_rejected_total`: `size` for the size limits,
    /// `invalid` otherwise.
    var rejectionReason: String {
        switch self {
        case .tooManyMatchers, .tooLarge: return "size"
        case .notAnObject, .notAList, .missing, .notAString, .notATime, .matchersMissing, .noMatchers,
            .matcherIncomplete, .invalidLabelName, .isRegexMissing, .unsupportedRegex, .matchesEverything, .idTooLong,
            .tooManyFilterMatchers:
            return "invalid"
        }
    }

    /// What is wrong, e.g. `matchers[1].isRegex is required`.
    var description: String {
        switch self {
        case .notAnObject: return "expected a JSON object"
        case .notAList: return "expected a JSON list"
        case .missing(let field): return "\(field) is required"
        case .notAString(let field): return "\(field) must be a string"
        case .notATime(let field): return "\(field) is not an RFC 3339 time"
        case .matchersMissing: return "matchers is required (a list)"
        case .noMatchers: return "at least one matcher is required"
        case .tooManyMatchers(let count, let limit): return "too many matchers (\(count); at most \(limit))"
        case .matcherIncomplete(let index): return "matchers[\(index)] needs string name and value"
        case .invalidLabelName(let index): return "matchers[\(index)].name is not a valid label name"
        case .isRegexMissing(let index): return "matchers[\(index)].isRegex is required"
        case .unsupportedRegex(let index, let reason):
            return "matchers[\(index)].value is not a supported regular expression: \(reason)"
        case .tooLarge(let limit): return "silence too large (comment, createdBy and matchers over \(limit) bytes)"
        case .matchesEverything: return "at least one matcher must not match the empty string"
        case .idTooLong: return "id too long"
        case .tooManyFilterMatchers(let limit): return "too many filter matchers (at most \(limit))"
        }
    }
}
