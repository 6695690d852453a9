import Foundation
import Logging
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import HTTP

/// A 300 KB body, like a large /metrics page; the pattern makes misordered bytes visible.
let bigBody: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) }

let testHandler: HTTPHandler = { request in
    switch request.path {
    case "/big":
        return .bytes(contentType: "application/octet-stream", bigBody)
    case "/echo":
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: request.body)
    case "/get-only":
        guard request.method == "GET" else {
            var response = HTTPResponse.error(.methodNotAllowed)
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return .text("ok")
    case "/close":
        return HTTPResponse(status: 200, headers: [("Connection", "close")], body: Array("bye".utf8))
    case "/nothing":
        return HTTPResponse(status: 204)
    default:
        if request.path.hasPrefix("/n/") { return .text("\(request.method) \(request.path)") }
        return .error(.notFound)
    }
}

func makeServer(
    _ endpoints: [String] = ["127.0.0.1:0"], configure: (inout HTTPServerConfiguration) -> Void = { _ in }
) throws -> HTTPServer {
    try makeServer(endpoints, handler: testHandler, configure: configure)
}

func makeServer(
    _ endpoints: [String] = ["127.0.0.1:0"], handler: @escaping HTTPHandler,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in }
) throws -> HTTPServer {
    var configuration = HTTPServerConfiguration(
        listenAddresses: endpoints.map { SocketEndpoint.parseHostPort($0)! },
        requestTimeout: .seconds(2), idleTimeout: .seconds(5))
    // Every test client connects from 127.0.0.1: the per-client cap is tested on its own.
    configuration.maxConnectionsPerClient = .max
    configure(&configuration)
    var logger = Logger(label: "http-test")
    logger.logLevel = .warning
    let server = try HTTPServer(configuration: configuration, logger: logger, handler: handler)
    server.start()
    return server
}

func get(_ path: String, close: Bool = false) -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(close ? "Connection: close\r\n" : "")\r\n"
}

/// The server's shared open-connection count (read into a plain value for `#expect`).
func openConnections(_ server: HTTPServer) -> Int { server.openConnections.load(ordering: .relaxed) }

/// Once `server` holds `cap` connections, one more is answered 503 with `Connection: close` and
/// closed.
func expectNextConnectionRejected(
    _ server: HTTPServer, atCap cap: Int, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for _ in 0..<50 where openConnections(server) < cap { Thread.sleep(forTimeInterval: 0.01) }
    Thread.sleep(forTimeInterval: 0.05)
    let extra = try TestHTTPClient(server.boundAddresses[0])
    let rejected = try extra.readResponse()
    #expect(rejected.status == 503, sourceLocation: sourceLocation)
    #expect(rejected.headers["connection"] == "close", sourceLocation: sourceLocation)
    #expect(try extra.readUntilClosed().isEmpty, sourceLocation: sourceLocation)
}

/// A flag set on one thread and read on another.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

func elapsed(since start: ContinuousClock.Instant) -> Duration { ContinuousClock.now - start }

/// Server tests run one at a time: timing assertions need the two cores to themselves.
@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAliveServesSequentialRequestsOnOneConnection() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        for i in 1...3 {
            try client.send(get("/n/\(i)"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "GET /n/\(i)")
            #expect(response.headers["connection"] == nil)
            #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(
            get("/n/1") + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody" + get("/n/3"))
        #expect(try client.readResponse().text == "GET /n/1")
        #expect(try client.readResponse().text == "body")
        #expect(try client.readResponse().text == "GET /n/3")
    }

    @Test func pipelinedLargeResponsesAreAnsweredInOrder() throws {
        // Three 300 KB responses exceed the output high-water mark: the server must pause
        // parsing, then resume once the client has read, without losing the third request.
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(get("/big") + get("/n/2") + get("/big"))
        #expect(try client.readResponse().body == bigBody)
        #expect(try client.readResponse().text == "GET /n/2")
        #expect(try client.readResponse().body == bigBody)
    }

    @Test func headGetsTheGETHeadersWithoutABody() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send("HEAD /big HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "300000")
        // The next response starts right after the head: no body bytes were sent.
        try client.send(get("/n/after"))
        #expect(try client.readResponse().text == "GET /n/after")
        try client.send("HEAD /get-only HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse(head: true).status == 200)
    }

    @Test func handlerStatusesPassThrough() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send("POST /get-only HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.statusLine == "HTTP/1.1 405 Method Not Allowed")
        #expect(notAllowed.headers["allow"] == "GET, HEAD")
        try client.send(get("/missing"))
        #expect(try client.readResponse().status == 404)
        try client.send(get("/nothing"))
        let empty = try client.readResponse()
        #expect(empty.status == 204)
        #expect(empty.headers["content-length"] == nil)
        try client.send(get("/n/still-open"))
        #expect(try client.readResponse().status == 200)
    }

    @Test func expectContinueGetsAnInterimResponse() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let interim = try client.readResponse(head: true)
        #expect(interim.status == 100)
        try client.send("data")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "data")
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(get("/n/1", close: true))
        let response = try client.readResponse()
        #expect(response.headers["connection"] == "close")
        #expect(try client.readUntilClosed().isEmpty)

        let second = try TestHTTPClient(server.boundAddresses[0])
        try second.send(get("/close"))
        #expect(try second.readResponse().headers["connection"] == "close")
        #expect(try second.readUntilClosed().isEmpty)
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let plain = try TestHTTPClient(server.boundAddresses[0])
        try plain.send("GET /n/1 HTTP/1.0\r\n\r\n")
        let response = try plain.readResponse()
        #expect(response.statusLine.hasPrefix("HTTP/1.1 200"))
        #expect(response.headers["connection"] == "close")
        #expect(try plain.readUntilClosed().isEmpty)

        let keep = try TestHTTPClient(server.boundAddresses[0])
        for _ in 0..<2 {
            try keep.send("GET /n/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keep.readResponse().headers["connection"] == "keep-alive")
        }
    }

    @Test func halfClosedClientStillGetsEveryResponse() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        // Two large responses: the second request is parsed only after the first has drained,
        // which happens after the server has already seen end-of-input.
        try client.send(get("/big") + get("/big") + get("/n/3"))
        _ = Glibc.shutdown(client.socket.fd, Int32(SHUT_WR))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try client.readResponse().body == bigBody)
        #expect(try client.readResponse().body == bigBody)
        #expect(try client.readResponse().text == "GET /n/3")
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func manyConcurrentClients() throws {
        let server = try makeServer { $0.loopThreads = 2 }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let clients = try (0..<200).map { _ in try TestHTTPClient(server.boundAddresses[0]) }
        for round in 0..<3 {
            for (i, client) in clients.enumerated() { try client.send(get("/n/\(i)-\(round)")) }
            for (i, client) in clients.enumerated() {
                #expect(try client.readResponse().text == "GET /n/\(i)-\(round)")
            }
        }
        #expect(openConnections(server) == 200)
        for client in clients { client.socket.close() }
        for _ in 0..<100 where openConnections(server) > 0 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(openConnections(server) == 0)
    }

    /// Sends `request`, expects `status` and then the server closing the connection.
    func expectErrorAndClose(_ server: HTTPServer, _ request: String, _ status: Int) throws {
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == status, "\(request.prefix(40))")
        #expect(response.headers["connection"] == "close")
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func protocolErrorsOnTheWire() throws {
        let server = try makeServer {
            $0.maxHeaderBytes = 512
            $0.maxBodyBytes = 16
        }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        try expectErrorAndClose(server, "GET / HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n", 400)
        try expectErrorAndClose(server, "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400)
        try expectErrorAndClose(server, "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505)
        try expectErrorAndClose(server, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n", 413)
        try expectErrorAndClose(
            server, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411)
        try expectErrorAndClose(
            server, "GET / HTTP/1.1\r\nHost: t\r\nX: \(String(repeating: "a", count: 600))\r\n\r\n", 431)
        try expectErrorAndClose(server, "GET /\(String(repeating: "a", count: 600)) HTTP/1.1\r\nHost: t\r\n\r\n", 414)
        // A good request before a bad one in the same write is still answered first.
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(get("/n/ok") + "BROKEN\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(try client.readResponse().status == 400)
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func silentClientGets408WhileOthersAreServedPromptly() throws {
        // The silent client's deadline is long enough (1.5 s) that a loaded machine cannot make
        // the others' answers look late against it, yet far below the 5 s idle timeout.
        let server = try makeServer { $0.requestTimeout = .milliseconds(1500) }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let silent = try TestHTTPClient(server.boundAddresses[0])
        try silent.send("GET /n/slow HTTP/1.1\r\nHo")
        let started = ContinuousClock.now
        let other = try TestHTTPClient(server.boundAddresses[0])
        // A loop held by the silent client would keep every one of these waiting for its 408
        // (1.5 s): each must come within 1 s, the fastest within 250 ms (best of five, as one
        // reading can include a wait for a CPU).
        let answers = try LatencySamples(attempts: 5) { i in
            try other.send(get("/n/\(i)"))
            return try other.readResponse(timeout: .seconds(1)).status
        }
        #expect(answers.results == [200, 200, 200, 200, 200])
        #expect(answers.fastest < .milliseconds(250), "answers took \(answers.durations)")
        // And all of them came while the silent client was still waiting for its deadline.
        #expect(try silent.staysOpenAndSilent(for: .milliseconds(1)), "the 408 came before the others were served")
        let timedOut = try silent.readResponse(timeout: .seconds(5))
        #expect(timedOut.status == 408)
        #expect(timedOut.headers["connection"] == "close")
        let waited = elapsed(since: started)
        #expect(waited >= .milliseconds(1480) && waited < .seconds(4), "408 after \(waited)")
        #expect(try silent.readUntilClosed().isEmpty)
        // A head that arrived complete but whose body never comes times out the same way.
        let noBody = try TestHTTPClient(server.boundAddresses[0])
        try noBody.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab")
        #expect(try noBody.readResponse(timeout: .seconds(5)).status == 408)
    }

    @Test func idleKeepAliveConnectionsAreClosedWithoutAResponse() throws {
        let server = try makeServer { $0.idleTimeout = .milliseconds(300) }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(get("/n/1"))
        #expect(try client.readResponse().status == 200)
        let started = ContinuousClock.now
        #expect(try client.readUntilClosed(timeout: .seconds(2)).isEmpty)
        #expect(elapsed(since: started) >= .milliseconds(280))
        // A connection that never sends anything is idle too.
        let mute = try TestHTTPClient(server.boundAddresses[0])
        #expect(try mute.readUntilClosed(timeout: .seconds(2)).isEmpty)
    }

    @Test func connectionCapClosesTheLongestIdleConnectionToAdmitANewOne() throws {
        let server = try makeServer { $0.maxConnections = 3 }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        var idle: [TestHTTPClient] = []
        for i in 0..<3 {
            let client = try TestHTTPClient(server.boundAddresses[0])
            try client.send(get("/n/\(i)"))
            #expect(try client.readResponse().status == 200)
            idle.append(client)
            Thread.sleep(forTimeInterval: 0.02)  // distinct idle ages: idle[0] is the oldest
        }
        // Idle keep-alive connections cannot lock a scraper out: the oldest makes room.
        let scraper = try TestHTTPClient(server.boundAddresses[0])
        try scraper.send(get("/n/scrape"))
        #expect(try scraper.readResponse().text == "GET /n/scrape")
        #expect(try idle[0].readUntilClosed(timeout: .seconds(1)).isEmpty)
        for client in idle[1...] {
            try client.send(get("/n/still"))
            #expect(try client.readResponse().status == 200)
        }
        #expect(openConnections(server) == 3)
        #expect(server.statistics.connectionsEvicted == 1)
        #expect(server.statistics.connectionsRejectedAtCap == 0)
    }

    @Test func connectionCapRejectsWith503WhenNothingIsIdleAndIsNeverExceeded() throws {
        let server = try makeServer { $0.maxConnections = 2 }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        // Both connections have a request in progress (head complete, body arriving): neither
        // may be closed to make room. (A head still arriving may: see the slowloris tests.)
        let first = try TestHTTPClient(server.boundAddresses[0])
        let second = try TestHTTPClient(server.boundAddresses[0])
        for client in [first, second] {
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab")
        }
        try expectNextConnectionRejected(server, atCap: 2)
        #expect(openConnections(server) == 2)
        #expect(server.statistics.connectionsRejectedAtCap == 1)
        #expect(server.statistics.connectionsEvicted == 0)
        // The requests in progress still complete.
        try first.send("cd")
        #expect(try first.readResponse().text == "abcd")
        // Freeing a slot lets the next client in.
        second.socket.close()
        var admitted = false
        for _ in 0..<50 where !admitted {
            Thread.sleep(forTimeInterval: 0.01)
            if openConnections(server) < 2 { admitted = true }
        }
        #expect(admitted)
        let fourth = try TestHTTPClient(server.boundAddresses[0])
        try fourth.send(get("/n/4"))
        #expect(try fourth.readResponse().status == 200)
    }

    @Test func slowReaderGetsTheWholeLargeBodyAndBlocksNoOne() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let slow = try TestHTTPClient(server.boundAddresses[0])
        try slow.send(get("/big"))
        // While the slow client has not read anything, the server must still serve others.
        Thread.sleep(forTimeInterval: 0.05)
        let other = try TestHTTPClient(server.boundAddresses[0])
        let started = ContinuousClock.now
        try other.send(get("/n/fast"))
        #expect(try other.readResponse(timeout: .milliseconds(500)).status == 200)
        #expect(elapsed(since: started) < .milliseconds(200))
        let response = try slow.readResponse(timeout: .seconds(10), readChunk: 8192, pause: .milliseconds(2))
        #expect(response.headers["content-length"] == "300000")
        #expect(response.body == bigBody)
        try slow.send(get("/n/after"))
        #expect(try slow.readResponse().text == "GET /n/after")
    }

    @Test func listensOnIPv6Loopback() throws {
        let server = try makeServer(["[::1]:0"])
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let address = server.boundAddresses[0]
        #expect(address.family == AF_INET6)
        #expect(address.description.hasPrefix("[::1]:"))
        let client = try TestHTTPClient(address)
        try client.send(get("/n/v6"))
        #expect(try client.readResponse().text == "GET /n/v6")
    }

    @Test func listensOnSeveralAddressesWithSeveralLoops() throws {
        let server = try makeServer(["127.0.0.1:0", "[::1]:0"]) { $0.loopThreads = 2 }
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        #expect(server.boundAddresses.count == 2)
        var clients: [TestHTTPClient] = []
        for i in 0..<10 {
            let client = try TestHTTPClient(server.boundAddresses[i % 2])
            try client.send(get("/n/\(i)"))
            clients.append(client)
        }
        for (i, client) in clients.enumerated() {
            #expect(try client.readResponse().text == "GET /n/\(i)")
        }
    }

    @Test func portInUseIsAStartUpError() throws {
        let server = try makeServer()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let port = server.boundAddresses[0].port
        #expect(throws: SocketError.failed(call: "bind 127.0.0.1:\(port)", errno: EADDRINUSE)) {
            _ = try makeServer(["127.0.0.1:\(port)"])
        }
    }

    @Test func shutdownClosesIdleClientsAndFinishesRequestsInProgress() throws {
        let server = try makeServer()
        let address = server.boundAddresses[0]
        let idle = try TestHTTPClient(address)
        try idle.send(get("/n/1"))
        #expect(try idle.readResponse().status == 200)
        let midRequest = try TestHTTPClient(address)
        try midRequest.send("GET /n/late HTTP/1.1\r\n")
        Thread.sleep(forTimeInterval: 0.05)

        let finished = Flag()
        let stopper = Thread {
            server.shutdown(gracePeriod: .seconds(2))
            finished.set()
        }
        stopper.start()
        // The idle keep-alive connection is closed at once.
        #expect(try idle.readUntilClosed(timeout: .seconds(1)).isEmpty)
        #expect(!finished.isSet)
        // The request in progress completes within the grace period, with Connection: close.
        try midRequest.send("Host: t\r\n\r\n")
        let late = try midRequest.readResponse()
        #expect(late.text == "GET /n/late")
        #expect(late.headers["connection"] == "close")
        #expect(try midRequest.readUntilClosed().isEmpty)
        for _ in 0..<100 where !finished.isSet { Thread.sleep(forTimeInterval: 0.01) }
        #expect(finished.isSet)
        // No longer listening.
        #expect(throws: (any Error).self) {
            let client = try TestHTTPClient(address, timeout: .milliseconds(500))
            try client.send(get("/n/x"))
            _ = try client.readResponse(timeout: .milliseconds(500))
        }
        server.shutdown(gracePeriod: .zero)  // a second call is harmless
    }

    @Test func shutdownGivesUpAfterTheGracePeriod() throws {
        let server = try makeServer()
        let stuck = try TestHTTPClient(server.boundAddresses[0])
        try stuck.send("GET /n/never HTTP/1.1\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = ContinuousClock.now
        server.shutdown(gracePeriod: .milliseconds(200))
        let took = elapsed(since: started)
        #expect(took >= .milliseconds(190) && took < .seconds(1))
        #expect(try stuck.readUntilClosed().isEmpty)
    }

    @Test func outOfRangeSettingsAreStartUpErrors() {
        #expect(
            throws: HTTPServerError.invalidConfiguration(setting: "maxConnections", requirement: "must be at least 1")
        ) {
            _ = try makeServer { $0.maxConnections = 0 }
        }
        #expect(
            throws: HTTPServerError.invalidConfiguration(
                setting: "listenAddresses", requirement: "must hold at least one address")
        ) {
            _ = try makeServer([])
        }
    }

    @Test func shutdownBeforeStartJustReleasesTheListeners() throws {
        var logger = Logger(label: "http-test")
        logger.logLevel = .warning
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [.tcp(host: "127.0.0.1", port: 0)]),
            logger: logger, handler: testHandler)
        server.shutdown(gracePeriod: .zero)
        server.start()  // after shutdown: no effect
    }
}
