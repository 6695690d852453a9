import Testing

@testable import HTTP

/// Feeds `text` at once and collects results until the parser needs more or fails.
private func parseAll(_ text: String, maxHeaderBytes: Int = 16384, maxBodyBytes: Int = 65536)
    -> (requests: [HTTPRequest], error: HTTPParseError?)
{
    var parser = HTTPRequestParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    parser.append(contentsOf: Array(text.utf8))
    return drain(&parser)
}

private func drain(_ parser: inout HTTPRequestParser) -> (requests: [HTTPRequest], error: HTTPParseError?) {
    var requests: [HTTPRequest] = []
    while true {
        switch parser.next() {
        case .request(let request): requests.append(request)
        case .needMoreData: return (requests, nil)
        case .error(let error): return (requests, error)
        }
    }
}

private func error(of text: String, maxHeaderBytes: Int = 16384, maxBodyBytes: Int = 65536) -> HTTPParseError? {
    parseAll(text, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes).error
}

@Suite struct HTTPRequestParserTests {
    @Test func parsesASimpleGET() throws {
        let (requests, error) = parseAll(
            "GET /metrics?name%5B%5D=up HTTP/1.1\r\nHost: localhost:9540\r\nAccept:  text/plain \r\nX-Multi: a\r\nx-multi: b\r\n\r\n"
        )
        #expect(error == nil)
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == "GET")
        #expect(request.target == "/metrics?name%5B%5D=up")
        #expect(request.path == "/metrics")
        #expect(request.query == "name%5B%5D=up")
        #expect(request.version == .http11)
        #expect(request.headers["host"] == "localhost:9540")
        #expect(request.headers["ACCEPT"] == "text/plain")
        #expect(request.headers.values(for: "X-Multi") == ["a", "b"])
        #expect(request.headers["x-multi"] == "a, b")
        #expect(request.body.isEmpty)
        #expect(!request.isHead)
        #expect(request.wantsKeepAlive)
    }

    @Test func decodesThePathButNotTheQuery() throws {
        let request = try #require(parseAll("GET /a%20b/%2Fc?x=%20 HTTP/1.1\r\nHost: h\r\n\r\n").requests.first)
        #expect(request.path == "/a b//c")
        #expect(request.query == "x=%20")
    }

    @Test func acceptsAbsoluteFormAndAsterisk() throws {
        let absolute = try #require(
            parseAll("GET http://example.com:9540/metrics?a=1 HTTP/1.1\r\nHost: example.com\r\n\r\n").requests.first)
        #expect(absolute.path == "/metrics")
        #expect(absolute.query == "a=1")
        let bare = try #require(parseAll("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").requests.first)
        #expect(bare.path == "/")
        let options = try #require(parseAll("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").requests.first)
        #expect(options.path == "*")
        #expect(error(of: "GET * HTTP/1.1\r\nHost: h\r\n\r\n") == .invalidTarget)
    }

    @Test func headIsPresentedAsGET() throws {
        let request = try #require(parseAll("HEAD /metrics HTTP/1.1\r\nHost: h\r\n\r\n").requests.first)
        #expect(request.method == "GET")
        #expect(request.isHead)
    }

    @Test func http10KeepAliveRules() throws {
        let plain = try #require(parseAll("GET / HTTP/1.0\r\n\r\n").requests.first)
        #expect(plain.version == .http10)
        #expect(!plain.wantsKeepAlive)
        let keep = try #require(parseAll("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").requests.first)
        #expect(keep.wantsKeepAlive)
        let close = try #require(parseAll("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n").requests.first)
        #expect(!close.wantsKeepAlive)
    }

    @Test func readsABodyByContentLength() throws {
        let (requests, error) = parseAll("POST /-/reload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        #expect(error == nil)
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["hello"])
    }

    @Test func acceptsRepeatedIdenticalContentLength() throws {
        let (requests, error) = parseAll(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(error == nil)
        #expect(requests.first?.body == Array("ok".utf8))
    }

    static let pipeline =
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
        + "\r\nGET /c?q HTTP/1.1\r\nHost: h\r\n\r\n"

    @Test func returnsPipelinedRequestsInOrder() {
        let (requests, error) = parseAll(Self.pipeline)
        #expect(error == nil)
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(requests[1].body == Array("xyz".utf8))
        #expect(requests[2].query == "q")
    }

    @Test func splitAtEveryByteBoundary() {
        let bytes = Array(Self.pipeline.utf8)
        for split in 0...bytes.count {
            var parser = HTTPRequestParser()
            parser.append(contentsOf: bytes[0..<split])
            var (requests, error) = drain(&parser)
            #expect(error == nil)
            parser.append(contentsOf: bytes[split...])
            let rest = drain(&parser)
            requests += rest.requests
            error = rest.error
            #expect(error == nil, "split at \(split)")
            #expect(requests.map(\.path) == ["/a", "/b", "/c"], "split at \(split)")
            #expect(requests.count == 3 && requests[1].body == Array("xyz".utf8), "split at \(split)")
            #expect(!parser.hasPartialRequest)
        }
    }

    @Test func byteAtATime() {
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for byte in Self.pipeline.utf8 {
            parser.append(contentsOf: [byte])
            let result = drain(&parser)
            #expect(result.error == nil)
            requests += result.requests
        }
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
    }

    @Test func partialInputNeedsMoreAndIsReportedAsPartial() {
        var parser = HTTPRequestParser()
        #expect(!parser.hasPartialRequest)
        parser.append(contentsOf: Array("GET / HTTP/1.1\r\nHost: h\r\n".utf8))
        guard case .needMoreData = parser.next() else {
            Issue.record("expected needMoreData")
            return
        }
        #expect(parser.hasPartialRequest)
        parser.append(contentsOf: Array("Content-Length: 4\r\n\r\nab".utf8))
        guard case .needMoreData = parser.next() else {
            Issue.record("expected needMoreData while the body is short")
            return
        }
        #expect(parser.hasPartialRequest)
        parser.append(contentsOf: Array("cd".utf8))
        guard case .request(let request) = parser.next() else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == Array("abcd".utf8))
        #expect(!parser.hasPartialRequest)
    }

    @Test func expectContinueIsReportedUntilTheBodyStarts() {
        var parser = HTTPRequestParser()
        parser.append(
            contentsOf: Array("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n".utf8))
        guard case .needMoreData = parser.next() else {
            Issue.record("expected needMoreData")
            return
        }
        #expect(parser.expectsContinue)
        parser.append(contentsOf: Array("a".utf8))
        #expect(!parser.expectsContinue)
    }

    @Test func skipsEmptyLinesBeforeARequest() {
        #expect(parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").requests.count == 1)
    }

    @Test(arguments: [
        // request line
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", HTTPParseError.malformedRequestLine),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET /\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        (" GET / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET / HTTP/1.x\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET / http/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .versionNotSupported),
        ("GET / HTTP/0.9\r\n\r\n", .versionNotSupported),
        ("GET relative HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET /a%4 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET /\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        // line endings
        ("GET / HTTP/1.1\nHost: h\r\n\r\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: h\n\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", .invalidLineEnding),
        ("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidLineEnding),
        // fields
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\n: empty\r\nHost: h\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nBad(Name): x\r\nHost: h\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .invalidHost),
        // bodies
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\nab", .invalidContentLength),
        (
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", .chunkedBodyNotSupported),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", .chunkedBodyNotSupported),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
    ])
    func rejectsMalformedInput(input: String, expected: HTTPParseError) {
        #expect(error(of: input) == expected)
    }

    @Test func errorsAreStickyAndDetectedEarly() {
        var parser = HTTPRequestParser()
        // A bare LF is reported as soon as it arrives, without waiting for the head to end.
        parser.append(contentsOf: Array("GET / HTTP/1.1\n".utf8))
        guard case .error(.invalidLineEnding) = parser.next() else {
            Issue.record("expected invalidLineEnding")
            return
        }
        parser.append(contentsOf: Array("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        guard case .error(.invalidLineEnding) = parser.next() else {
            Issue.record("expected the error to stick")
            return
        }
    }

    @Test func headLimitIsInclusive() {
        let head = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let exact = head + String(repeating: "a", count: 100 - head.utf8.count - 4) + "\r\n\r\n"
        #expect(exact.utf8.count == 100)
        #expect(parseAll(exact, maxHeaderBytes: 100).requests.count == 1)
        let over = head + String(repeating: "a", count: 101 - head.utf8.count - 4) + "\r\n\r\n"
        #expect(error(of: over, maxHeaderBytes: 100) == .headersTooLarge)
    }

    @Test func oversizeHeadsAreDetectedBeforeTheyEnd() {
        // 431 while fields keep coming, without waiting for a blank line that never comes.
        let fields = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 20)
        #expect(error(of: fields, maxHeaderBytes: 256) == .headersTooLarge)
        // 414 when the request line itself does not end within the limit.
        let longLine = "GET /" + String(repeating: "a", count: 300)
        #expect(error(of: longLine, maxHeaderBytes: 256) == .uriTooLong)
        // Not even a method within the limit: just malformed.
        #expect(error(of: String(repeating: "A", count: 300), maxHeaderBytes: 256) == .malformedRequestLine)
    }

    @Test func bodyLimit() {
        let atLimit = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"
        #expect(parseAll(atLimit, maxBodyBytes: 10).requests.count == 1)
        let over = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"
        #expect(error(of: over, maxBodyBytes: 10) == .bodyTooLarge)
    }

    @Test func statusForEachError() {
        #expect(HTTPStatus(for: .malformedRequestLine).code == 400)
        #expect(HTTPStatus(for: .invalidLineEnding).code == 400)
        #expect(HTTPStatus(for: .contentLengthWithTransferEncoding).code == 400)
        #expect(HTTPStatus(for: .versionNotSupported).code == 505)
        #expect(HTTPStatus(for: .uriTooLong).code == 414)
        #expect(HTTPStatus(for: .headersTooLarge).code == 431)
        #expect(HTTPStatus(for: .bodyTooLarge).code == 413)
        #expect(HTTPStatus(for: .chunkedBodyNotSupported).code == 411)
        #expect(HTTPStatus(for: .unsupportedTransferEncoding).code == 501)
        #expect(HTTPStatus.requestHeaderFieldsTooLarge.description == "431 Request Header Fields Too Large")
        #expect(HTTPStatus(599).reasonPhrase == "Server Error")
    }
}

@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveAndOrdered() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain"]
        headers.add(name: "Vary", value: "Accept")
        headers.add(name: "vary", value: "Accept-Encoding")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["VARY"] == "Accept, Accept-Encoding")
        #expect(headers.values(for: "Vary") == ["Accept", "Accept-Encoding"])
        #expect(headers["missing"] == nil)
        #expect(headers.map(\.name) == ["Content-Type", "Vary", "vary"])
        headers.remove(name: "VARY")
        #expect(headers.count == 1)
        #expect(headers.containsToken("TEXT/PLAIN", in: "content-type"))
    }
}
