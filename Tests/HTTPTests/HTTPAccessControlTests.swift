import Foundation
import Logging
import Sockets
import Synchronization
import TLS
import TestSupport
import Testing

@testable import HTTP

/// Basic authentication and configured headers in front of a real server (plain HTTP here; the
/// exporter's end-to-end tests run the same over TLS with curl and Prometheus).
@Suite struct HTTPAccessControlTests {
    static let password = "s3cret:with colon"
    static let hash = Bcrypt.hash(password: Array(password.utf8), cost: 4)!

    func basic(_ user: String, _ password: [UInt8]) -> [String: String] {
        ["Authorization": "Basic " + Base64.encode(Array(user.utf8) + [UInt8(ascii: ":")] + password)]
    }

    func basic(_ user: String, _ password: String) -> [String: String] { basic(user, Array(password.utf8)) }

    func start(
        users: [String: String] = ["prom": HTTPAccessControlTests.hash], maxWaiting: Int = 32,
        handler: @escaping HTTPHandler = testHandler
    ) throws -> (HTTPServer, HTTPAccessControl, UInt16) {
        var logger = Logger(label: "auth-test")
        logger.logLevel = .critical
        let access = HTTPAccessControl(
            users: users, headers: [("X-Frame-Options", "deny"), ("X-Content-Type-Options", "nosniff")], logger: logger,
            maxWaitingChecks: maxWaiting)
        try access.start()
        let server = try makeServer(handler: access.wrap(handler))
        return (server, access, server.boundAddresses[0].port)
    }

    @Test func withoutCredentialsEveryEndpointAnswers401WithTheChallengeAndTheHeaders() throws {
        let (server, access, port) = try start()
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        for path in ["/n/x", "/-/ready", "/-/healthy", "/nowhere"] {
            let r = try httpRequest(port: port, path: path)
            #expect(r.status == 401, "\(path)")
            #expect(r.headers["www-authenticate"] == "Basic")
            #expect(r.headers["x-frame-options"] == "deny")
        }
        for malformed in ["Basic", "Basic !!!!", "Bearer abc", "Basic " + Base64.encode(Array("nocolon".utf8))] {
            #expect(try httpRequest(port: port, path: "/n/x", headers: ["Authorization": malformed]).status == 401)
        }
        #expect(access.statistics.failures["missing"] == 8)
        #expect(access.statistics.bcryptChecks == 0)
    }

    @Test func theRightPasswordIsCheckedWithBcryptOnceThenRemembered() throws {
        let (server, access, port) = try start()
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        let first = try httpRequest(port: port, path: "/n/x", headers: basic("prom", Self.password))
        #expect(first.status == 200)
        #expect(first.text == "GET /n/x")
        #expect(first.headers["x-content-type-options"] == "nosniff")
        #expect(first.headers["www-authenticate"] == nil)
        for _ in 0..<5 {
            #expect(try httpRequest(port: port, path: "/n/x", headers: basic("prom", Self.password)).status == 200)
        }
        #expect(access.statistics.bcryptChecks == 1)
        #expect(access.statistics.cacheHits == 5)
    }

    @Test func wrongPasswordsUnknownUsersAndNulTricksAre401AndNeverRemembered() throws {
        let (server, access, port) = try start()
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        // The right password first, so a wrong one cannot pass by matching a remembered success.
        #expect(try httpRequest(port: port, path: "/n/x", headers: basic("prom", Self.password)).status == 200)
        let attempts: [[String: String]] = [
            basic("prom", "wrong"), basic("prom", "wrong"), basic("prom", ""),
            basic("prom", Array(Self.password.utf8) + [0] + Array("x".utf8)),
            basic("Prom", Self.password), basic("nobody", Self.password),
        ]
        for headers in attempts {
            let r = try httpRequest(port: port, path: "/n/x", headers: headers)
            #expect(r.status == 401)
            #expect(r.headers["www-authenticate"] == "Basic")
        }
        #expect(access.statistics.failures["invalid"] == UInt64(attempts.count))
        // Every failure paid bcrypt (unknown users against a decoy hash, so they take as long).
        #expect(access.statistics.bcryptChecks == 1 + UInt64(attempts.count))
    }

    @Test func aChangedHashStopsTheRememberedPasswordAtOnce() throws {
        let (server, access, port) = try start()
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        #expect(try httpRequest(port: port, path: "/n/x", headers: basic("prom", Self.password)).status == 200)
        let newHash = try #require(Bcrypt.hash(password: Array("rotated".utf8), cost: 4))
        access.update(users: ["prom": newHash], headers: [])
        #expect(try httpRequest(port: port, path: "/n/x", headers: basic("prom", Self.password)).status == 401)
        let r = try httpRequest(port: port, path: "/n/x", headers: basic("prom", "rotated"))
        #expect(r.status == 200)
        #expect(r.headers["x-frame-options"] == nil)  // headers were replaced too
        access.update(users: [:], headers: [])
        #expect(try httpRequest(port: port, path: "/n/x").status == 200)
    }

    @Test func aDeferredResponseBehindAuthenticationArrivesWithTheHeaders() throws {
        let handler: HTTPHandler = { _ in
            let pending = HTTPDeferredResponse()
            Thread.detachNewThread {
                usleep(50_000)
                pending.complete(.text("later"))
            }
            return .deferred(pending)
        }
        let (server, access, port) = try start(handler: handler)
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        for _ in 0..<2 {  // bcrypt then remembered: both paths
            let r = try httpRequest(port: port, path: "/slow", headers: basic("prom", Self.password))
            #expect(r.status == 200)
            #expect(r.text == "later")
            #expect(r.headers["x-frame-options"] == "deny")
        }
    }

    /// Unknown user names are checked against a hash as slow as the slowest configured one, also
    /// after a reload: a fixed cost-10 decoy made names with a cost-12 hash 4x slower to refuse
    /// than unknown names (user enumeration by timing). bcrypt's time is set by its cost, so the
    /// cost is what is checked here (no timing in unit tests).
    @Test func unknownUsersAreCheckedAtTheHighestConfiguredCost() throws {
        let cost12 = "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby"
        let (server, access, port) = try start(users: ["prom": Self.hash, "alice": cost12])
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        #expect(Bcrypt.cost(of: access.decoy) == 12)
        // Still refused: the decoy is a real user's hash, never a way in for another name.
        #expect(
            try httpRequest(port: port, path: "/n/x", headers: basic("mallory", "alice123"), timeout: 10).status == 401)
        let cost6 = Bcrypt.hash(password: Array("x".utf8), cost: 6)!
        access.update(users: ["prom": Self.hash, "bob": cost6], headers: [])
        #expect(Bcrypt.cost(of: access.decoy) == 6)
    }

    /// A handler's deferred response with a fallback (the exporter's scrape held for the first
    /// poll) still gets that fallback, with the headers, when access control wraps it, whether
    /// the handler ran at once (headers only, or a remembered password) or after a bcrypt check:
    /// the server only watches the outer response, which used to have no fallback (a 503 at the
    /// server's deferred timeout: a false "down" at start).
    @Test(arguments: [false, true])
    func aWrappedDeferredResponseKeepsItsFallback(authenticate: Bool) throws {
        let never = Mutex<[HTTPDeferredResponse]>([])
        let handler: HTTPHandler = { _ in
            let pending = HTTPDeferredResponse(fallback: .text("placeholder"), after: .milliseconds(300))
            never.withLock { $0.append(pending) }  // never completed by the handler
            return .deferred(pending)
        }
        var logger = Logger(label: "auth-test")
        logger.logLevel = .critical
        let access = HTTPAccessControl(
            users: authenticate ? ["prom": Self.hash] : [:], headers: [("X-Frame-Options", "deny")], logger: logger)
        try access.start()
        let server = try makeServer(handler: access.wrap(handler)) { $0.deferredResponseTimeout = .seconds(4) }
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        let port = server.boundAddresses[0].port
        let headers = authenticate ? basic("prom", Self.password) : [:]
        for _ in 0..<2 {  // with a password: bcrypt first, then the remembered success
            let started = ContinuousClock.now
            let r = try httpRequest(port: port, path: "/first-poll", headers: headers, timeout: 10)
            #expect(r.status == 200)
            #expect(r.text == "placeholder")
            #expect(r.headers["x-frame-options"] == "deny")
            #expect(ContinuousClock.now - started < .seconds(3), "answered at the fallback, not the server timeout")
        }
        for pending in never.withLock({ $0 }) { pending.complete(.text("late")) }
    }

    /// A flood of logins is refused with 429 beyond the waiting checks, not queued without bound.
    @Test func loginsBeyondTheWaitingChecksAre429() throws {
        let slow = "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby"  // cost 12: ~0.2 s each
        let (server, access, port) = try start(users: ["alice": slow], maxWaiting: 1)
        defer {
            server.shutdown(gracePeriod: .zero)
            access.stop()
        }
        let statuses = Mutex<[Int]>([])
        let threads = (0..<6).map { _ in
            Thread {
                let status =
                    (try? httpRequest(port: port, path: "/n/x", headers: self.basic("alice", "alice1234")))?.status ?? 0
                statuses.withLock { $0.append(status) }
            }
        }
        for t in threads { t.start() }
        #expect(waitUntil(timeout: 20) { statuses.withLock { $0.count } == 6 })
        let seen = statuses.withLock { $0 }
        #expect(seen.allSatisfy { $0 == 401 || $0 == 429 }, "\(seen)")
        #expect(seen.contains(429), "\(seen)")
        #expect(access.statistics.failures["busy"] == UInt64(seen.filter { $0 == 429 }.count))
        // The right password still gets in afterwards.
        #expect(
            try httpRequest(port: port, path: "/n/x", headers: basic("alice", "alice123"), timeout: 10).status == 200)
    }
}
