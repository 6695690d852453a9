import Alerting
import Celery
import JSON
import Notify

/// Reads Alertmanager API v2 `postableSilence` JSON (and the silences file, which holds
/// `gettableSilence`s) into ``Silence`` values, with the store's size limits. Errors
/// (``SilenceDecodingError``) are short, safe to return to the client, and never echo the input.
enum SilenceDecoding {
    /// Parses one JSON silence object. `id` and times are taken as given; the store validates
    /// times against the clock.
    static func silence(_ value: JSONValue, limits: SilenceLimits, now: Double) throws(SilenceDecodingError) -> Silence
    {
        guard case .object(let o) = value else { throw .notAnObject }
        func string(_ key: String, required: Bool) throws(SilenceDecodingError) -> String {
            guard let v = o[key], !v.isNull else {
                if required { throw .missing(field: key) }
                return ""
            }
            guard let s = v.stringValue else { throw .notAString(field: key) }
            return s
        }
        func time(_ key: String) throws(SilenceDecodingError) -> Double {
            let text = try string(key, required: true)
            guard let t = ISO8601Timestamp.parse(text) else { throw .notATime(field: key) }
            return t
        }
        guard let list = o["matchers"]?.arrayValue else { throw .matchersMissing }
        guard !list.isEmpty else { throw .noMatchers }
        guard list.count <= limits.maxMatchers else {
            throw .tooManyMatchers(count: list.count, limit: limits.maxMatchers)
        }
        let comment = try string("comment", required: true)
        let createdBy = try string("createdBy", required: true)
        var bytes = comment.utf8.count + createdBy.utf8.count
        var matchers: [LabelMatcher] = []
        for (i, m) in list.enumerated() {
            guard let name = m["name"]?.stringValue, let value = m["value"]?.stringValue else {
                throw .matcherIncomplete(index: i)
            }
            bytes += name.utf8.count + value.utf8.count
            guard bytes <= limits.maxSilenceBytes else {
                throw .tooLarge(limit: limits.maxSilenceBytes)
            }
            guard isLabelName(name) else { throw .invalidLabelName(index: i) }
            guard let isRegex = m["isRegex"]?.boolValue else { throw .isRegexMissing(index: i) }
            let isEqual = m["isEqual"]?.boolValue ?? true
            let op: LabelMatcher.Operator =
                isRegex ? (isEqual ? .regexMatch : .regexNoMatch) : (isEqual ? .equal : .notEqual)
            do {
                matchers.append(try LabelMatcher(name: name, op: op, value: value))
            } catch {
                throw .unsupportedRegex(index: i, reason: "\(error)")
            }
        }
        guard bytes <= limits.maxSilenceBytes else {
            throw .tooLarge(limit: limits.maxSilenceBytes)
        }
        // Alertmanager's rule: a silence whose every matcher matches the empty label would
        // silence almost everything.
        guard matchers.contains(where: { !$0.matches([:]) }) else {
            throw .matchesEverything
        }
        let startsAt = try time("startsAt")
        let endsAt = try time("endsAt")
        let id = try string("id", required: false)
        guard id.utf8.count <= 64 else { throw .idTooLong(limit: 64) }
        let updatedAt = (o["updatedAt"]?.stringValue).flatMap(ISO8601Timestamp.parse) ?? now
        return Silence(
            id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, updatedAt: updatedAt,
            createdBy: createdBy, comment: comment)
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(first >= 48 && first <= 57) else { return false }
        return s.utf8.allSatisfy {
            ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95
        }
    }
}
