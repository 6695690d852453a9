import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// An endpoint to connect to or listen on: a TCP host and port, or a unix socket path.
public enum SocketEndpoint: Equatable, Sendable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case unix(path: String)

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    /// Parses `host:port`, `[v6]:port` or `:port` (all interfaces). Returns nil when malformed.
    public static func parseHostPort(_ text: String) -> SocketEndpoint? {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // bare IPv6 needs brackets
        }
        guard let port = UInt16(portText) else { return nil }
        return .tcp(host: String(host), port: port)
    }
}

/// A resolved socket address (`sockaddr_storage` plus its length).
public struct SocketAddress: Sendable {
    public var storage: sockaddr_storage
    public var length: socklen_t

    public init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`).
    public var family: Int32 { Int32(storage.ss_family) }

    /// Resolves a TCP host and port to one or more addresses (IPv4 and IPv6), in `getaddrinfo` order.
    /// An empty host means "all interfaces" (for listening): `::` then `0.0.0.0`.
    ///
    /// Blocks for as long as the system resolver takes (there is no timeout on `getaddrinfo`):
    /// to connect somewhere within a deadline, use ``NameResolver`` (or
    /// ``Socket/connect(to:deadline:cancellation:resolver:)``).
    public static func resolve(host: String, port: UInt16, passive: Bool = false) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = passive ? AI_PASSIVE : 0
        if !passive { hints.ai_flags |= AI_ADDRCONFIG }
        var result: UnsafeMutablePointer<addrinfo>?
        let rc: Int32
        if host.isEmpty {
            rc = getaddrinfo(nil, String(port), &hints, &result)
        } else {
            rc = getaddrinfo(host, String(port), &hints, &result)
        }
        guard rc == 0 else {
            throw SocketError.resolution(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor = result
        while let info = cursor {
            var storage = sockaddr_storage()
            let length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(length)))
            }
            addresses.append(SocketAddress(storage: storage, length: length))
            cursor = info.pointee.ai_next
        }
        if addresses.isEmpty { throw SocketError.resolution(host: host, reason: "no addresses") }
        return addresses
    }

    /// The address of an IPv4 or IPv6 literal (`127.0.0.1`, `::1`, no brackets), built without
    /// `getaddrinfo`, so connecting to a literal never waits for a resolver. Nil for anything
    /// else (names, scoped `fe80::1%eth0` literals), which need a lookup.
    public static func numeric(host: String, port: UInt16) -> SocketAddress? {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin) { dst.copyMemory(from: $0) } }
            return SocketAddress(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin6) { dst.copyMemory(from: $0) } }
            return SocketAddress(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
        return nil
    }

    /// A unix-domain socket address for `path`.
    public static func unix(path: String) throws(SocketError) -> SocketAddress {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else {
            throw SocketError.invalidAddress(
                address: path, problem: .unixPathTooLong(bytes: bytes.count, limit: capacity - 1))
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { dst in
            dst.copyBytes(from: bytes)
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            withUnsafeBytes(of: &addr) { src in dst.copyMemory(from: src) }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return SocketAddress(storage: storage, length: length)
    }

    /// Numeric text of the address (`127.0.0.1:9100`, `[::1]:9100`, or the unix path).
    public var description: String {
        switch family {
        case AF_INET:
            let host = reading(as: sockaddr_in.self) {
                Self.numericHost(AF_INET, $0.sin_addr, capacity: Int(INET_ADDRSTRLEN))
            }
            return "\(host):\(port)"
        case AF_INET6:
            let host = reading(as: sockaddr_in6.self) {
                Self.numericHost(AF_INET6, $0.sin6_addr, capacity: Int(INET6_ADDRSTRLEN))
            }
            return "[\(host)]:\(port)"
        case AF_UNIX:
            return reading(as: sockaddr_un.self) { sun in
                withUnsafeBytes(of: sun.sun_path) { raw in
                    let bytes = raw.prefix { $0 != 0 }
                    return "unix:" + String(decoding: bytes, as: UTF8.self)
                }
            }
        default:
            return "family \(family)"
        }
    }

    /// The port of an IPv4/IPv6 address (0 for unix sockets).
    public var port: UInt16 {
        switch family {
        case AF_INET: return reading(as: sockaddr_in.self) { UInt16(bigEndian: $0.sin_port) }
        case AF_INET6: return reading(as: sockaddr_in6.self) { UInt16(bigEndian: $0.sin6_port) }
        default: return 0
        }
    }

    /// `body` applied to the stored address read as `type`, the `sockaddr_*` of its ``family``.
    private func reading<T, R>(as type: T.Type, _ body: (T) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) { $0.withMemoryRebound(to: type, capacity: 1) { body($0.pointee) } }
    }

    /// `inet_ntop`'s text for `address` (an `in_addr` or `in6_addr` of `family`).
    private static func numericHost<Address>(_ family: Int32, _ address: Address, capacity: Int) -> String {
        var a = address
        var buf = [CChar](repeating: 0, count: capacity)
        inet_ntop(family, &a, &buf, socklen_t(buf.count))
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Calls `body` with a `sockaddr` pointer to this address.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var copy = storage
        return try withUnsafePointer(to: &copy) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
