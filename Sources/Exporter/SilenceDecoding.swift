import Alerting
import Celery
import JSON
import Notify

/// Reads Alertmanager API v2 `postableSilence` JSON (and the silences file, which holds
/// `gettableSilence`s) into ``Silence`` values, with the store's size limits. Errors are
/// short, safe to return to the client, and never echo the input.
enum SilenceDecoding {
    struct Failure: Error, CustomStringConvertible {
        enum Kind: String { case invalid, size }
        let kind: Kind
        let description: String
        init(_ kind: Kind, _ description: String) {
            self.kind = kind
            self.description = description
        }
        init(_ description: String) { self.init(.invalid, description) }
    }

    /// Parses one JSON silence object. `id` and times are taken as given; the store validates
    /// times against the clock.
    static func silence(_ value: JSONValue, limits: SilenceLimits, now: Double) throws(Failure) -> Silence {
        guard case .object(let o) = value else { throw Failure("expected a JSON object") }
        func string(_ key: String, required: Bool) throws(Failure) -> String {
            guard let v = o[key], !v.isNull else {
                if required { throw Failure("\(key) is required") }
                return ""
            }
            guard let s = v.stringValue else { throw Failure("\(key) must be a string") }
            return s
        }
        func time(_ key: String) throws(Failure) -> Double {
            let text = try string(key, required: true)
            guard let t = ISO8601Timestamp.parse(text) else { throw Failure("\(key) is not an RFC 3339 time") }
            return t
        }
        guard let list = o["matchers"]?.arrayValue else { throw Failure("matchers is required (a list)") }
        guard !list.isEmpty else { throw Failure("at least one matcher is required") }
        guard list.count <= limits.maxMatchers else {
            throw Failure(.size, "too many matchers (\(list.count); at most \(limits.maxMatchers))")
        }
        let comment = try string("comment", required: true)
        let createdBy = try string("createdBy", required: true)
        var bytes = comment.utf8.count + createdBy.utf8.count
        var matchers: [LabelMatcher] = []
        for (i, m) in list.enumerated() {
            guard let name = m["name"]?.stringValue, let value = m["value"]?.stringValue else {
                throw Failure("matchers[\(i)] needs string name and value")
            }
            bytes += name.utf8.count + value.utf8.count
            guard bytes <= limits.maxSilenceBytes else {
                throw Failure(
                    .size, "silence too large (comment, createdBy and matchers over \(limits.maxSilenceBytes) bytes)")
            }
            guard isLabelName(name) else { throw Failure("matchers[\(i)].name is not a valid label name") }
            guard let isRegex = m["isRegex"]?.boolValue else { throw Failure("matchers[\(i)].isRegex is required") }
            let isEqual = m["isEqual"]?.boolValue ?? true
            let op: LabelMatcher.Operator =
                isRegex ? (isEqual ? .regexMatch : .regexNoMatch) : (isEqual ? .equal : .notEqual)
            do {
                matchers.append(try LabelMatcher(name: name, op: op, value: value))
            } catch {
                throw Failure("matchers[\(i)].value is not a supported regular expression: \(error)")
            }
        }
        guard bytes <= limits.maxSilenceBytes else {
            throw Failure(
                .size, "silence too large (comment, createdBy and matchers over \(limits.maxSilenceBytes) bytes)")
        }
        // Alertmanager's rule: a silence whose every matcher matches the empty label would
        // silence almost everything.
        guard matchers.contains(where: { !$0.matches([:]) }) else {
            throw Failure("at least one matcher must not match the empty string")
        }
        let startsAt = try time("startsAt")
        let endsAt = try time("endsAt")
        let id = try string("id", required: false)
        guard id.utf8.count <= 64 else { throw Failure("id too long") }
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
