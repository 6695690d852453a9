import Logging
import Sockets
import Synchronization
import TLS

/// HTTP basic authentication and extra response headers for every endpoint, as exporter-toolkit's
/// `basic_auth_users` and `http_server_config.headers` do it.
///
/// ``wrap(_:)`` puts it in front of a handler. With users configured, a request needs
/// `Authorization: Basic` with a configured user and the password of its bcrypt hash; anything
/// else is answered `401` with `WWW-Authenticate: Basic`. Every endpoint is covered, `/-/healthy`
/// and `/-/ready` included (as exporter-toolkit does: a probe needs the credentials too).
///
/// Checking a bcrypt hash is slow on purpose, so it runs on a ``BcryptVerifier`` thread and the
/// request is answered through an ``HTTPDeferredResponse``. A success is remembered per
/// (user, hash): the user's entry keeps an HMAC of the password under a key made at start, and a
/// request with the same password is then let through at once (constant-time comparison), so a
/// scrape does not pay bcrypt each time. Failures are not remembered: a flood of wrong passwords
/// cannot push a real client's entry out, and pays bcrypt every time (one check at a time, at
/// most ``BcryptVerifier/capacity`` waiting; past that the answer is `429`).
public final class HTTPAccessControl: Sendable {
    /// Counters for the exporter's metrics.
    public struct Statistics: Sendable, Equatable {
        /// Requests refused, by reason: `missing` (no or malformed credentials), `invalid` (wrong
        /// user or password), `busy` (too many password checks already waiting: 429).
        public var failures: [String: UInt64]
        /// Successful checks answered from the remembered results (no bcrypt).
        public var cacheHits: UInt64
        /// Password checks run with bcrypt.
        public var bcryptChecks: UInt64

        /// The reasons ``failures`` knows, each reported from the start.
        public static let failureReasons = ["missing", "invalid", "busy"]
    }

    /// Users (name → bcrypt hash) and headers; replaced whole by ``update(users:headers:)``.
    private struct Settings: Sendable {
        var users: [String: String]
        var headers: [(String, String)]
        /// The hash an unknown user name is checked against: a configured one of the highest cost,
        /// so that an unknown name takes as long as the slowest known one (bcrypt's time is set by
        /// the cost alone); a mismatch in cost would tell names apart by timing.
        var decoy: String

        init(users: [String: String], headers: [(String, String)]) {
            self.users = users
            self.headers = headers
            decoy =
                users.values.max { (Bcrypt.cost(of: $0) ?? 0, $0) < (Bcrypt.cost(of: $1) ?? 0, $1) }
                ?? HTTPAccessControl.decoyHash
        }
    }

    /// A remembered success: the hash it was checked against and an HMAC of the password.
    private struct Remembered: Sendable {
        var hash: String
        var digest: [UInt8]
    }

    /// bcrypt of a fixed text, the decoy when no user is configured (never checked then: no
    /// user means no authentication).
    private static let decoyHash = "$2b$10$iEAQnBZ3Y7rUozOJUuZ4J.TJf9Nb2e/ZOdXTOYEvSsVqbyhvmjblC"

    private let settings: Mutex<Settings>
    private let remembered = Mutex<[String: Remembered]>([:])
    private let digestKey = secureRandomBytes(32)
    private let verifier: BcryptVerifier
    private let logger: Logger
    private let notices = RateLimitedLog(interval: .seconds(10))
    private let missing = Atomic<UInt64>(0)
    private let invalid = Atomic<UInt64>(0)
    private let busy = Atomic<UInt64>(0)
    private let hits = Atomic<UInt64>(0)
    private let checks = Atomic<UInt64>(0)

    /// Users as name → bcrypt hash (already validated: see `Bcrypt.problem(with:)`); headers added
    /// to every response the wrapped handler gives. Call ``start()`` before serving.
    public init(users: [String: String], headers: [(String, String)], logger: Logger, maxWaitingChecks: Int = 32) {
        settings = Mutex(Settings(users: users, headers: headers))
        verifier = BcryptVerifier(capacity: maxWaitingChecks)
        self.logger = logger
    }

    /// Starts the password-checking thread.
    public func start() throws { try verifier.start() }

    /// Stops the password-checking thread (checks still waiting are refused).
    public func stop() { verifier.stop() }

    /// Replaces users and headers (a configuration reload). Remembered successes of users whose
    /// hash changed or who are gone no longer count.
    public func update(users: [String: String], headers: [(String, String)]) {
        settings.withLock { $0 = Settings(users: users, headers: headers) }
        remembered.withLock { table in table = table.filter { users[$0.key] == $0.value.hash } }
    }

    /// The hash unknown user names are checked against (see `Settings.decoy`).
    var decoy: String { settings.withLock { $0.decoy } }

    /// Whether basic authentication is on (users are configured).
    public var requiresAuthentication: Bool { settings.withLock { !$0.users.isEmpty } }

    /// Counters since start.
    public var statistics: Statistics {
        Statistics(
            failures: [
                "missing": missing.load(ordering: .relaxed), "invalid": invalid.load(ordering: .relaxed),
                "busy": busy.load(ordering: .relaxed),
            ],
            cacheHits: hits.load(ordering: .relaxed), bcryptChecks: checks.load(ordering: .relaxed))
    }

    /// `handler` behind authentication and with the configured headers on its responses. The
    /// handler may then run on the verifier thread (after a password check) as well as on a
    /// loop thread; like every handler it must be quick and thread-safe.
    public func wrap(_ handler: @escaping HTTPHandler) -> HTTPHandler {
        { [self] request in answer(request, handler) }
    }

    private func answer(_ request: HTTPRequest, _ handler: @escaping HTTPHandler) -> HTTPResponse {
        let current = settings.withLock { $0 }
        let headers = current.headers
        guard !current.users.isEmpty else { return Self.decorate(handler(request), headers) }
        guard let credentials = BasicCredentials(authorization: request.headers["Authorization"]) else {
            missing.add(1, ordering: .relaxed)
            return Self.unauthorized(headers)
        }
        let hash = current.users[credentials.user]
        let digest = HMAC.sha256(key: digestKey, message: credentials.password)
        if let hash, let known = remembered.withLock({ $0[credentials.user] }), known.hash == hash,
            ConstantTime.equal(known.digest, digest)
        {
            hits.add(1, ordering: .relaxed)
            return Self.decorate(handler(request), headers)
        }
        let pending = HTTPDeferredResponse()
        let user = credentials.user
        let accepted = verifier.submit(password: credentials.password, hash: hash ?? current.decoy) {
            [self] ok in
            checks.add(1, ordering: .relaxed)
            guard ok, let hash else {
                invalid.add(1, ordering: .relaxed)
                if let suppressed = notices.admit("invalid") {
                    // The name only when it is a configured one: anything else is the client's text.
                    logger.warning(
                        "HTTP basic authentication failed (celery_redis_http_auth_failures_total)",
                        metadata: [
                            "user": "\(hash == nil ? "(not a configured user)" : user)", "suppressed": "\(suppressed)",
                        ])
                }
                pending.complete(Self.unauthorized(headers))
                return
            }
            // Only while the user still has this hash (a reload may have changed it meanwhile).
            remembered.withLock { table in
                if settings.withLock({ $0.users[user] }) == hash {
                    table[user] = Remembered(hash: hash, digest: digest)
                }
            }
            Self.finish(handler(request), headers, into: pending)
        }
        guard accepted else {
            busy.add(1, ordering: .relaxed)
            if let suppressed = notices.admit("busy") {
                logger.warning(
                    "too many password checks waiting; answering 429 (celery_redis_http_auth_failures_total)",
                    metadata: ["waiting": "\(verifier.capacity)", "suppressed": "\(suppressed)"])
            }
            var response = Self.decorate(
                HTTPResponse.error(HTTPStatus(429), detail: "too many logins in progress; try again shortly"), headers)
            response.headers.append(("Retry-After", "1"))
            return response
        }
        return .deferred(pending)
    }

    /// Completes `pending` with `response`, waiting for it first when it is itself deferred. The
    /// server only watches `pending`, so it takes the inner response's fallback (decorated, on
    /// the inner's schedule from the request): else a scrape held for the first poll would get a
    /// 503 at the server's timeout instead of the placeholder.
    private static func finish(
        _ response: HTTPResponse, _ headers: [(String, String)], into pending: HTTPDeferredResponse
    ) {
        guard let inner = response.pending else {
            pending.complete(decorate(response, headers))
            return
        }
        pending.adoptFallback(of: inner) { decorate($0, headers) }
        inner.onCompletion {
            if let response = inner.response { pending.complete(decorate(response, headers)) }
        }
    }

    /// `response` with the configured headers (replacing the handler's of the same name).
    private static func decorate(_ response: HTTPResponse, _ headers: [(String, String)]) -> HTTPResponse {
        guard !headers.isEmpty else { return response }
        if response.pending != nil {
            let outer = HTTPDeferredResponse()
            finish(response, headers, into: outer)
            return .deferred(outer)
        }
        var decorated = response
        for (name, value) in headers {
            decorated.headers.removeAll { HTTPHeaders.namesEqual($0.0, name) }
            decorated.headers.append((name, value))
        }
        return decorated
    }

    private static func unauthorized(_ headers: [(String, String)]) -> HTTPResponse {
        var response = decorate(HTTPResponse.error(HTTPStatus(401)), headers)
        response.headers.append(("WWW-Authenticate", "Basic"))
        return response
    }
}
