import Alerting
import Celery
import HTTP
import JSON
import Notify
import Sockets

/// The Alertmanager API v2 subset `amtool` needs (`silence add|query|expire|import`,
/// `alert query`, `config show`/version checks):
///
/// | method | path | answer |
/// |---|---|---|
/// | GET | `/api/v2/status` | cluster `disabled`, version, uptime; `config.original` empty (the file may hold secrets) |
/// | GET | `/api/v2/alerts` | the firing alerts, `status.state` active/suppressed, `silencedBy`, `inhibitedBy`; `filter`, `active`, `silenced`, `inhibited`, `receiver` |
/// | GET | `/api/v2/silences` | every silence (expired ones within retention); `filter` |
/// | POST | `/api/v2/silences` | `{"silenceID": …}` (write) |
/// | GET | `/api/v2/silence/{id}` | one silence, 404 when unknown |
/// | DELETE | `/api/v2/silence/{id}` | expires it (write) |
///
/// Writes need `--web.enable-silences` (403 otherwise), as `POST /-/reload` needs
/// `--web.enable-lifecycle`: anyone who can reach the port could otherwise mute every page.
/// Bodies come through the HTTP server's body cap (64 KiB) and are parsed with a depth limit.
public struct AlertmanagerAPI: Sendable {
    /// The silences.
    public let silences: SilenceStore
    /// The alerting runtime, for the alert list and what mutes each alert.
    public let alerting: AlertingRuntime?
    /// Whether POST and DELETE are allowed.
    public let enableWrites: Bool
    /// Unix time the process started (`uptime`).
    public let startedAt: Double
    private let clock: @Sendable () -> Double
    /// Where silence and alert reads run, off the HTTP loop thread (inline when nil).
    private let worker: HTTPWorkThread?
    /// What one read may cost, and the refusals (see ``AlertmanagerAPIGuard``).
    let limits = AlertmanagerAPIGuard()
    private let silencesBody = SilencesBodyCache()

    /// The API over `silences` and `alerting`.
    public init(
        silences: SilenceStore, alerting: AlertingRuntime?, enableWrites: Bool, startedAt: Double,
        clock: @escaping @Sendable () -> Double = WallClock.now, worker: HTTPWorkThread? = nil
    ) {
        self.worker = worker
        self.silences = silences
        self.alerting = alerting
        self.enableWrites = enableWrites
        self.startedAt = startedAt
        self.clock = clock
    }

    /// Answers a request whose path starts with `/api/v2/`.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let now = clock()
        let path = request.path
        let query = Self.queryItems(request.query)
        switch path {
        case "/api/v2/status":
            guard isRead(request) else { return notAllowed("GET, HEAD") }
            return json(
                AlertmanagerAPIv2.status(
                    exporter: "\(ExporterVersion.name) \(ExporterVersion.version)", uptimeSince: startedAt))
        case "/api/v2/alerts":
            guard isRead(request) else { return notAllowed("GET, HEAD") }
            return offLoop { [self] in alerts(query: query, now: now) }
        case "/api/v2/silences":
            if request.method == "POST" { return add(request, now: now) }
            guard isRead(request) else { return notAllowed("GET, HEAD, POST") }
            let filter: [LabelMatcher]
            do {
                filter = try Self.matchers(query["filter"] ?? [])
            } catch {
                return .text(status: 400, "bad filter: \(error)\n")
            }
            if let refusal = limits.checkRegexes(filter) { return refusal }
            return offLoop { [self] in silences(filter: filter, now: now) }
        default:
            break
        }
        let prefix = "/api/v2/silence/"
        guard path.hasPrefix(prefix), path.count > prefix.count else {
            return .text(status: 404, "404 page not found: \(path)\n")
        }
        let id = String(path.dropFirst(prefix.count))
        if request.method == "DELETE" {
            guard enableWrites else { return writesDisabled() }
            do {
                try silences.expire(id, now: now)
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: [])
            } catch {
                return .text(status: error.status, "\(error.description)\n")
            }
        }
        guard isRead(request) else { return notAllowed("GET, HEAD, DELETE") }
        guard let s = silences.get(id) else { return .text(status: 404, "\(SilenceStoreError.notFound(id: id))\n") }
        return json(AlertmanagerAPIv2.silence(s, now: now))
    }

    /// `work` on ``worker`` (answered through a deferred response), inline without one; 503
    /// when the worker's queue is full.
    private func offLoop(_ work: @escaping @Sendable () -> HTTPResponse) -> HTTPResponse {
        guard let worker else { return work() }
        return worker.deferred(work) ?? limits.busy(waiting: worker.capacity)
    }

    /// The silences `filter` keeps: the shared body when it keeps them all.
    private func silences(filter: [LabelMatcher], now: Double) -> HTTPResponse {
        // The shared body only where it is sent: a filtered read after a change would otherwise
        // render every silence (up to ~100 MB) just to count them.
        guard !filter.isEmpty else { return json(silencesBody.body(silences, now: now)) }
        let list = silences.list(now: now)
        // Alertmanager's `silenceMatchesFilterLabels`: the filter runs over the silence's
        // matchers taken as a label set (name → value).
        let labelSets = list.map { s in
            var labels: [String: String] = [:]
            for m in s.matchers { labels[m.name] = m.value }
            return labels
        }
        if let refusal = limits.checkWork(filter, over: labelSets) { return refusal }
        var kept: [Silence] = []
        for (s, labels) in zip(list, labelSets) where filter.allSatisfy({ $0.matches(labels) }) { kept.append(s) }
        // A filter that keeps everything gets the shared body, not a copy of its own.
        if kept.count == list.count { return json(silencesBody.body(silences, now: now)) }
        if let refusal = limits.checkQueuedBytes() { return refusal }
        return limits.json(AlertmanagerAPIv2.silences(kept, now: now))
    }

    private func add(_ request: HTTPRequest, now: Double) -> HTTPResponse {
        guard enableWrites else { return writesDisabled() }
        let draft: Silence
        do {
            let value = try JSONValue.parse(request.body, maxDepth: SilenceLimits.maxJSONDepth)
            draft = try SilenceDecoding.silence(value, limits: silences.limits, now: now)
        } catch let error as SilenceDecodingError {
            silences.countRejected(error.rejectionReason, error.description)
            return .text(status: 400, "invalid silence: \(error.description)\n")
        } catch {
            silences.countRejected("invalid", "the body is not valid JSON")
            return .text(status: 400, "invalid silence: the body is not valid JSON (\(error))\n")
        }
        do {
            let id = try silences.add(draft, now: now)
            return json(AlertmanagerAPIv2.silenceID(id))
        } catch {
            return .text(status: error.status, "\(error.description)\n")
        }
    }

    private func alerts(query: [String: [String]], now: Double) -> HTTPResponse {
        var filter = AlertmanagerAPIv2.AlertFilter()
        for (key, set) in [
            ("active", \AlertmanagerAPIv2.AlertFilter.active), ("silenced", \.silenced), ("inhibited", \.inhibited),
        ] as [(String, WritableKeyPath<AlertmanagerAPIv2.AlertFilter, Bool>)] {
            guard let v = query[key]?.last else { continue }
            guard v == "true" || v == "false" else { return .text(status: 400, "\(key): expected true or false\n") }
            filter[keyPath: set] = v == "true"
        }
        var receiver: LabelRegex?
        do {
            filter.matchers = try Self.matchers(query["filter"] ?? [])
            if let r = query["receiver"]?.last, !r.isEmpty {
                receiver = try LabelRegex(r)
            }
        } catch {
            return .text(status: 400, "bad filter: \(error)\n")
        }
        filter.receiver = receiver
        if let refusal = limits.checkRegexes(filter.matchers, receiver: receiver) { return refusal }
        guard let status = alerting?.alertStatus() else { return json(Array("[]".utf8)) }
        let receiverNames = receiver == nil ? [] : status.alerts.flatMap { status.receivers[$0.fingerprint] ?? [] }
        if let refusal = limits.checkWork(
            filter.matchers, over: status.alerts.map(\.labels), receiver: receiver, receiverNames: receiverNames)
        {
            return refusal
        }
        if let refusal = limits.checkQueuedBytes() { return refusal }
        return limits.json(
            AlertmanagerAPIv2.alerts(
                status.alerts, mutes: status.mutes, receivers: status.receivers, filter: filter, now: now))
    }

    private func isRead(_ r: HTTPRequest) -> Bool { r.method == "GET" || r.method == "HEAD" }

    private func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func notAllowed(_ allow: String) -> HTTPResponse {
        var r = HTTPResponse.text(status: 405, "405 method not allowed: accepts \(allow)\n")
        r.headers.append(("Allow", allow))
        return r
    }

    private func writesDisabled() -> HTTPResponse {
        .text(
            status: 403,
            "silence writes are not enabled: start with --web.enable-silences to allow POST /api/v2/silences and DELETE /api/v2/silence/{id}\n"
        )
    }

    /// At most this many filter matchers per request (each compiles a regex).
    static let maxFilterMatchers = 32

    static func matchers(_ texts: [String]) throws -> [LabelMatcher] {
        guard texts.count <= maxFilterMatchers else {
            throw SilenceDecodingError.tooManyFilterMatchers(limit: maxFilterMatchers)
        }
        return try texts.map { try LabelMatcher(parsing: $0) }
    }

    /// `a=1&b=2&b=3` → `["a": ["1"], "b": ["2", "3"]]`, `+` and `%XX` decoded; undecodable
    /// items are dropped.
    static func queryItems(_ query: String?) -> [String: [String]] {
        guard let query else { return [:] }
        var out: [String: [String]] = [:]
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { continue }
            out[key, default: []].append(value)
        }
        return out
    }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                    return nil
                }
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
