import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// Checking what a sentinel says before anything connects to it: a sentinel can be stale,
/// misconfigured or hostile, and its answer decides where the Redis password is sent.
extension SentinelResolver {
    /// Longest host name accepted from a sentinel (DNS's limit).
    static let maximumHostLength = 253

    /// Checks a `GET-MASTER-ADDR-BY-NAME` reply: two bulk strings, a host of letters, digits and
    /// `.-_:` (IPv6 unbracketed) that is not the unspecified address in any spelling
    /// (``isUnspecifiedAddress(_:)``), and a port from 1 to 65535.
    static func masterAddress(
        in reply: RESPValue, masterName: String
    ) -> Result<SocketEndpoint, SentinelAnswerError> {
        if reply == .null {
            return .failure(.noSuchMaster(name: masterName))
        }
        if let message = reply.errorMessage {
            return .failure(.errorReply(message: message))
        }
        guard let items = reply.array, items.count == 2, let hostBytes = items[0].bytes, let portBytes = items[1].bytes
        else {
            return .failure(.notHostAndPort(shape: shape(of: reply)))
        }
        let allowed = Set(".-_:".utf8)
        guard !hostBytes.isEmpty, hostBytes.count <= maximumHostLength,
            hostBytes.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || allowed.contains($0)
            })
        else {
            return .failure(.implausibleHost(bytes: hostBytes.count))
        }
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard !isUnspecifiedAddress(host) else {
            return .failure(.unspecifiedHost(host))
        }
        guard portBytes.count <= 5, portBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let port = UInt16(String(decoding: portBytes, as: UTF8.self)), port > 0
        else {
            return .failure(.implausiblePort)
        }
        return .success(.tcp(host: host, port: port))
    }

    /// True when `host` is a numeric spelling of the unspecified address, which connects to this
    /// machine (so the master password would go to whatever listens locally). Checked on the
    /// parsed address, as the resolver will read it, not on the text: IPv6 by `inet_pton` (`::`,
    /// `::0`, `0:0::0`, the IPv4-mapped `::ffff:0.0.0.0`), IPv4 by `inet_aton`, which glibc's
    /// `getaddrinfo` also accepts (`0`, `0.0`, `0.0.0`, `00.0.0.0`, `0x0`, `0.0x0.00.0`).
    static func isUnspecifiedAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_aton(host, &v4) != 0 { return v4.s_addr == 0 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        // All zero (`::`), or IPv4-mapped `::ffff:0.0.0.0`.
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[12..<16].allSatisfy { $0 == 0 }
            && (bytes[10..<12].allSatisfy { $0 == 0 } || bytes[10..<12].allSatisfy { $0 == 0xFF })
    }

    /// The kind of a reply, for a log line (never its content: it could be anything).
    static func shape(of reply: RESPValue) -> String {
        switch reply {
        case .array(let items): return "an array of \(items.count) elements"
        case .bulk(let bytes): return "a \(bytes.count)-byte string"
        case .status: return "a status reply"
        case .integer: return "an integer"
        case .error: return "an error reply"
        case .null: return "nil"
        }
    }
}
