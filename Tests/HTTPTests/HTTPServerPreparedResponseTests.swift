import Foundation
import Sockets
import Testing

@testable import HTTP

/// Pre-rendered bodies served as they are: a prepared head (encoded once) and the handler's
/// body array sent together in gathering writes, never copied, and resumed exactly after
/// partial writes to slow readers.
@Suite struct HTTPServerPreparedResponseTests {
    /// Bodies of several sizes with distinct patterns, so a byte out of place shows.
    static let bodies: [[UInt8]] = [1, 700, 16_385, 70_000, 300_001].enumerated().map { index, size in
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* (index * 2 + 3) &+ $0 / 251) }
    }
    /// The responses, prepared once as the exporter does once per poll.
    static let prepared: [HTTPResponse] = bodies.map {
        HTTPResponse(
            status: 200, headers: [("Content-Type", "application/octet-stream"), ("X-Kind", "prepared")], body: $0
        )
        .prepared()
    }

    static let handler: HTTPHandler = { request in
        let parts = request.path.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[1]), bodies.indices.contains(index) else {
            return .error(.notFound)
        }
        switch parts[0] {
        case "prepared":
            return prepared[index]
        case "plain":
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "application/octet-stream"), ("X-Kind", "prepared")],
                body: bodies[index])
        case "changed":
            // Headers changed after preparing: the change must reach the wire.
            var response = prepared[index]
            response.headers.append(("X-Added", "after"))
            return response
        case "closing":
            return HTTPResponse(status: 200, headers: [("Connection", "close")], body: bodies[index]).prepared()
        default:
            return .error(.notFound)
        }
    }

    @Test func pipelinedPreparedAndPlainResponsesReachASlowReaderByteForByte() throws {
        let server = try makeServer(handler: Self.handler)
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        // A small receive window: the server's writes are cut short again and again, inside
        // heads and inside bodies, and each must resume at the exact byte.
        let client = TestHTTPClient(try smallWindowSocket(server.boundAddresses[0], receiveBuffer: 2048))
        var paths: [(String, Int, Bool)] = []
        for round in 0..<3 {
            for index in Self.bodies.indices {
                let kind = (round + index) % 2 == 0 ? "prepared" : "plain"
                paths.append(("/\(kind)/\(index)", index, false))
            }
            paths.append(("/prepared/\(round)", round, true))  // HEAD: the head alone
        }
        var requests = ""
        for (path, _, head) in paths { requests += "\(head ? "HEAD" : "GET") \(path) HTTP/1.1\r\nHost: t\r\n\r\n" }
        try client.send(requests)
        for (path, index, head) in paths {
            let response = try client.readResponse(
                head: head, timeout: .seconds(20), readChunk: 1500, pause: .microseconds(200))
            #expect(response.status == 200, "\(path)")
            #expect(response.headers["content-length"] == "\(Self.bodies[index].count)", "\(path)")
            #expect(response.headers["x-kind"] == "prepared", "\(path)")
            #expect(response.headers["date"]?.hasSuffix(" GMT") == true, "\(path)")
            #expect(response.headers["connection"] == nil, "\(path)")
            if head {
                #expect(response.body.isEmpty, "\(path)")
            } else {
                #expect(response.body == Self.bodies[index], "\(path)")
            }
        }
    }

    @Test func preparedHeadsMatchHeadsEncodedPerRequest() throws {
        let server = try makeServer(handler: Self.handler)
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        for _ in 0..<3 {
            try client.send(get("/prepared/1") + get("/plain/1"))
            let prepared = try client.readResponse()
            let plain = try client.readResponse()
            #expect(prepared.statusLine == "HTTP/1.1 200 OK")
            var a = prepared.headers
            var b = plain.headers
            a["date"] = nil  // the two may straddle a second
            b["date"] = nil
            #expect(a == b)
            #expect(prepared.body == plain.body)
        }
        // HTTP/1.0 with keep-alive is announced; Connection: close is honoured.
        try client.send("GET /prepared/0 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try client.readResponse().headers["connection"] == "keep-alive")
        try client.send(get("/prepared/0", close: true))
        #expect(try client.readResponse().headers["connection"] == "close")
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func changingAPreparedResponseDropsThePreparedHead() throws {
        let server = try makeServer(handler: Self.handler)
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let client = try TestHTTPClient(server.boundAddresses[0])
        try client.send(get("/prepared/0") + get("/changed/0") + get("/prepared/0"))
        #expect(try client.readResponse().headers["x-added"] == nil)
        let changed = try client.readResponse()
        #expect(changed.headers["x-added"] == "after")
        #expect(changed.body == Self.bodies[0])
        #expect(try client.readResponse().headers["x-added"] == nil)
        // A prepared response that asks to close the connection closes it.
        try client.send(get("/closing/1"))
        let closing = try client.readResponse()
        #expect(closing.headers["connection"] == "close")
        #expect(closing.body == Self.bodies[1])
        #expect(try client.readUntilClosed().isEmpty)
    }
}
