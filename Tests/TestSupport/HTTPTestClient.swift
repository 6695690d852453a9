import Foundation

/// A response read by ``httpRequest(port:method:path:headers:host:timeout:)``.
public struct TestHTTPResponse: Sendable {
    public let status: Int
    /// Header names in lower case.
    public let headers: [String: String]
    public let body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One HTTP/1.1 request over a fresh plain socket (`Connection: close`), written by hand so the
/// tests do not depend on the code under test. Reads until the peer closes.
public func httpRequest(
    port: UInt16, method: String = "GET", path: String, headers: [String: String] = [:],
    host: String = "127.0.0.1", timeout: Int = 5
) throws -> TestHTTPResponse {
    let family = host.contains(":") ? AF_INET6 : AF_INET
    let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed") }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let rc: Int32
    if family == AF_INET6 {
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = port.bigEndian
        inet_pton(AF_INET6, host, &addr.sin6_addr)
        rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    } else {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    guard rc == 0 else { throw HarnessError("connect to \(host):\(port) failed: errno \(errno)") }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    request += "\r\n"
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var raw: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        raw += buf[0..<n]
    }
    return try parseHTTPResponse(raw, headRequest: method == "HEAD")
}

/// Parses one complete HTTP/1.1 response (Content-Length or read-to-close bodies).
public func parseHTTPResponse(_ raw: [UInt8], headRequest: Bool = false) throws -> TestHTTPResponse {
    guard let end = raw.firstRange(of: [13, 10, 13, 10]) else {
        throw HarnessError(
            "no complete response head in \(raw.count) bytes: \(String(decoding: raw.prefix(200), as: UTF8.self))")
    }
    let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HarnessError("bad status line: \(head)") }
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(raw[end.upperBound...])
    if headRequest {
        body = []
    } else if let cl = headers["content-length"].flatMap(Int.init), body.count > cl {
        body = Array(body.prefix(cl))
    }
    return TestHTTPResponse(status: status, headers: headers, body: body)
}
