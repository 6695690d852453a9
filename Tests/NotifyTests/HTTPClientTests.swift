import HTTP
import Testing

/// The webhook client's URL parsing and response parsing, from literal strings and bytes.
@Suite struct HTTPClientTests {
    @Test func parsesURLs() throws {
        let a = try HTTPClientURL("https://hooks.example.com/services/T/B?x=1#frag")
        #expect(a.scheme == "https" && a.host == "hooks.example.com" && a.port == 443 && !a.hasExplicitPort)
        #expect(a.requestTarget == "/services/T/B?x=1")
        #expect(a.hostHeader == "hooks.example.com")
        #expect(a.redacted == "https://hooks.example.com/…")
        let b = try HTTPClientURL("HTTP://[::1]:8080")
        #expect(b.scheme == "http" && b.host == "::1" && b.port == 8080 && b.requestTarget == "/")
        #expect(b.hostHeader == "[::1]:8080")
        // The port stays (issue 16 item 10: five receivers on five ports must log apart).
        #expect(b.redacted == "http://[::1]:8080/…")
        #expect(try HTTPClientURL("https://h:9001/t0ken").redacted != HTTPClientURL("https://h:9002/t0ken").redacted)
        #expect(!(try HTTPClientURL("https://h:9001/t0ken?k=s3cr3t").redacted.contains("t0ken")))
        let c = try HTTPClientURL("http://127.0.0.1:9000?q")
        #expect(c.requestTarget == "/?q" && c.port == 9000)
        for bad in [
            "hooks.example.com/x", "ftp://x", "https://", "https://x:0", "https://x:99999", "https://::1/",
            "https://[::1", "https://u:p@x/", "https://x/a b", "https://[127.0.0.1]/",
        ] {
            #expect(throws: HTTPClientError.self, "\(bad)") { try HTTPClientURL(bad) }
        }
        // The error never repeats the URL (it may hold a token).
        do {
            _ = try HTTPClientURL("https://user:s3cr3t@x/")
        } catch {
            #expect(!"\(error)".contains("s3cr3t"))
        }
    }

    /// A URL missing its scheme but holding one further on: the text before `://` is its host
    /// and path, token included, and the error must not show it (on main it did, as the
    /// "scheme"). A real scheme is still named.
    @Test func invalidURLErrorNeverShowsTextThatIsNotAScheme() throws {
        let error = try #require(throws: HTTPClientError.self) {
            try HTTPClientURL("hooks.example.com/services/T0/B0/s3cr3t?next=https://example.com/")
        }
        #expect(!error.description.contains("s3cr3t"), "\(error)")
        #expect(error.description.contains("expected http:// or https://"), "\(error)")
        let token = try #require(throws: HTTPClientError.self) { try HTTPClientURL("sk_live_0123://h/") }
        #expect(!token.description.contains("sk_live"), "\(token)")
        let ftp = try #require(throws: HTTPClientError.self) { try HTTPClientURL("ftp://x/") }
        #expect(ftp == .invalidURL(reason: "scheme ftp is not http or https"))
    }

    func parse(_ chunks: [String], head: Bool = false, maxBody: Int = 1 << 20) throws -> HTTPClientResponse? {
        var parser = HTTPClientResponseParser(maxBodyBytes: maxBody, isHeadRequest: head)
        for (i, chunk) in chunks.enumerated() {
            parser.append(contentsOf: Array(chunk.utf8))
            if let r = try parser.parse(atEndOfStream: false) { return r }
            _ = i
        }
        return try parser.parse(atEndOfStream: true)
    }

    @Test func contentLength() throws {
        let r = try #require(try parse(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b \r\n\r\n", "ok"]))
        #expect(r.status == 200 && r.bodyText == "ok" && r.headers["x-a"] == "b" && !r.bodyTruncated)
    }

    @Test func chunkedAcrossReads() throws {
        let r = try #require(
            try parse([
                "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\n\r\n4\r\nWi",
                "ki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n",
            ]))
        #expect(r.status == 503 && r.bodyText == "Wikipedia" && r.headers["Retry-After"] == "3")
    }

    @Test func untilCloseAndInterimResponses() throws {
        let r = try #require(try parse(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nhello", " world"]))
        #expect(r.status == 200 && r.bodyText == "hello world")
    }

    @Test func noBodyStatuses() throws {
        #expect(try parse(["HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"])?.body == [])
        #expect(try parse(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"], head: true)?.body == [])
    }

    @Test func bodyCap() throws {
        let r = try #require(try parse(["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"], maxBody: 4))
        #expect(r.bodyText == "0123" && r.bodyTruncated && r.status == 200)
        let c = try #require(
            try parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"], maxBody: 4))
        #expect(c.bodyText == "0123" && c.bodyTruncated)
    }

    @Test func malformed() {
        let cases: [(String, HTTPClientResponseParseError)] = [
            ("HTTP/2 200 OK\r\n\r\n", .invalidStatusLine), ("HTTP/1.1 2000 OK\r\n\r\n", .invalidStatusLine),
            ("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", .headerWithoutColon),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .invalidContentLength),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", .closedInBody(received: 2, expected: 5)),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
            ("", .closedBeforeResponse),
        ]
        for (bad, expected) in cases {
            #expect(throws: expected, "\(bad)") { _ = try parse([bad]) }
        }
    }
}
