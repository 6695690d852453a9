/// Why the silence store refused a write; ``status`` is the HTTP status to answer with.
public enum SilenceStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No silence has this id (404).
    case notFound(id: String)
    /// The silence to expire has already ended (400).
    case alreadyExpired(id: String)
    /// The silence's end is not in the future (400).
    case endInPast
    /// The silence's start is not before its end (400).
    case startNotBeforeEnd
    /// `limit` silences are already active or pending (400; `--silences.max-silences`).
    case tooManySilences(limit: Int)

    /// 404 for an unknown id, else 400.
    public var status: Int {
        switch self {
        case .notFound: return 404
        case .alreadyExpired, .endInPast, .startNotBeforeEnd, .tooManySilences: return 400
        }
    }

    /// Alertmanager's wording (`silence <id> not found`); the id as ``shown(_:)`` shows it.
    public var description: String {
        switch self {
        case .notFound(let id): return "silence \(Self.shown(id)) not found"
        case .alreadyExpired(let id): return "silence \(Self.shown(id)) already expired"
        case .endInPast: return "end time can't be in the past"
        case .startNotBeforeEnd: return "start time must be before end time"
        case .tooManySilences(let limit):
            return "too many silences (\(limit) active or pending; --silences.max-silences)"
        }
    }

    /// An id as a response or log line shows it: it comes from a request (a body, a path), so
    /// only printable ASCII without spaces is echoed (ids are UUIDs), cut after 64 characters;
    /// anything else is a placeholder.
    static func shown(_ id: String) -> String {
        guard id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return "(unprintable id)" }
        return id.count > 64 ? String(id.prefix(64)) + "…" : id
    }
}
