#if canImport(Glibc)
    import Glibc
#endif

/// A connected client's IP address (no port), the key of the per-client connection cap.
/// IPv4-mapped IPv6 addresses count as their IPv4 address.
struct HTTPPeerAddress: Hashable, Sendable {
    /// 4 bytes (IPv4) or 16 (IPv6).
    let bytes: [UInt8]

    /// The peer of `fd`, or nil for a Unix socket or when it cannot be read (no cap applies).
    static func peer(of fd: Int32) -> HTTPPeerAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in.self).sin_addr
                return HTTPPeerAddress(bytes: withUnsafeBytes(of: address) { Array($0) })
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: address) { Array($0) }
                let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
                return HTTPPeerAddress(bytes: bytes.starts(with: mappedPrefix) ? Array(bytes[12...]) : bytes)
            }
        default:
            return nil
        }
    }
}
