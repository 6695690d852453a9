import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A bound, listening, non-blocking TCP socket.
///
/// `Sendable` because its state is one descriptor and one address, both fixed at creation:
/// several loop threads may `accept()` on the same listener at once (the kernel hands each
/// connection to exactly one of them). The descriptor is closed when the object is released,
/// so it can never be reused under a thread that is still waiting on it.
public final class Listener: Sendable {
    /// The listening descriptor.
    public let fd: Int32
    /// The address actually bound (with the kernel's port when asked for port 0).
    public let address: SocketAddress

    /// Binds `address` and listens.
    ///
    /// - Parameters:
    ///   - backlog: the kernel's accept queue length.
    ///   - v6Only: for IPv6 addresses, `IPV6_V6ONLY`: `false` makes `[::]` accept IPv4 too
    ///     (dual-stack), `true` lets `0.0.0.0` and `[::]` on one port be bound side by side.
    ///   - reusePort: sets `SO_REUSEPORT` (several sockets share the port, kernel balanced).
    /// - Throws: ``SocketError/failed(call:errno:)`` whose call names the address,
    ///   e.g. `bind 127.0.0.1:9540` with `EADDRINUSE`.
    public init(
        binding address: SocketAddress, backlog: Int32 = SOMAXCONN, v6Only: Bool = true, reusePort: Bool = false
    )
        throws
    {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(address.family, type, 0)
        guard fd >= 0 else { throw SocketError.failed(call: "socket \(address.description)", errno: errno) }
        func fail(_ call: String) -> SocketError {
            let error = SocketError.failed(call: "\(call) \(address.description)", errno: errno)
            _ = Glibc.close(fd)
            return error
        }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        // SO_REUSEADDR: a restarted exporter can bind while old connections sit in TIME_WAIT.
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size) == 0 else { throw fail("setsockopt(SO_REUSEADDR)") }
        if reusePort {
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) == 0 else {
                throw fail("setsockopt(SO_REUSEPORT)")
            }
        }
        if address.family == AF_INET6 {
            var flag: Int32 = v6Only ? 1 : 0
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &flag, size) == 0 else {
                throw fail("setsockopt(IPV6_V6ONLY)")
            }
        }
        guard address.withSockaddr({ Glibc.bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
        guard Glibc.listen(fd, backlog) == 0 else { throw fail("listen") }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw fail("getsockname") }
        self.fd = fd
        self.address = SocketAddress(storage: storage, length: length)
    }

    deinit { _ = Glibc.close(fd) }

    /// Binds every address `endpoint` stands for.
    ///
    /// - `:port` (empty host) means all interfaces: one dual-stack `[::]` socket with
    ///   `IPV6_V6ONLY=0`, or `0.0.0.0` when the host has no IPv6.
    /// - A numeric address binds exactly that address (IPv6 ones with `IPV6_V6ONLY=1`, so
    ///   `0.0.0.0:p` and `[::]:p` may both be listed).
    /// - A name binds each address it resolves to; addresses the host cannot bind
    ///   (`EADDRNOTAVAIL`, `EAFNOSUPPORT`) are skipped as long as one of them binds.
    ///   With port 0 each gets its own port.
    /// - Unix-socket endpoints are not supported for listening (``SocketError/invalidAddress(address:problem:)``).
    public static func bind(_ endpoint: SocketEndpoint, backlog: Int32 = SOMAXCONN) throws -> [Listener] {
        guard case .tcp(let host, let port) = endpoint else {
            throw SocketError.invalidAddress(address: endpoint.description, problem: .notTCP)
        }
        if host.isEmpty || host == "*" {
            let any6 = try SocketAddress.resolve(host: "::", port: port, passive: true)
            do {
                return [try Listener(binding: any6[0], backlog: backlog, v6Only: false)]
            } catch SocketError.failed(let call, let code) where code == EAFNOSUPPORT || code == EADDRNOTAVAIL {
                _ = call  // no IPv6 on this host: fall back to IPv4 only
            }
            let any4 = try SocketAddress.resolve(host: "0.0.0.0", port: port, passive: true)
            return [try Listener(binding: any4[0], backlog: backlog)]
        }
        var listeners: [Listener] = []
        var firstSkipped: SocketError?
        for address in try SocketAddress.resolve(host: host, port: port, passive: true) {
            do {
                listeners.append(try Listener(binding: address, backlog: backlog))
            } catch let error as SocketError {
                guard case .failed(_, let code) = error, code == EADDRNOTAVAIL || code == EAFNOSUPPORT else {
                    throw error
                }
                firstSkipped = firstSkipped ?? error
            }
        }
        if listeners.isEmpty, let firstSkipped { throw firstSkipped }
        return listeners
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec ``Socket``.
    ///
    /// Returns nil when no connection is waiting (`EAGAIN`) or the one waiting was aborted
    /// by its client before it was accepted (`ECONNABORTED`, `EPROTO`): callers loop until nil.
    /// Throws for everything else; `EMFILE`/`ENFILE` (out of descriptors) in particular
    /// must make a level-triggered loop stop watching the listener for a while, or it spins.
    public func accept() throws -> Socket? {
        while true {
            let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            let client = accept4(fd, nil, nil, flags)
            if client >= 0 { return Socket(adopting: client) }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SocketError.lastError("accept4")
            }
        }
    }

    /// True when a connection waits in the accept queue (a non-blocking `poll`). The kernel
    /// reports `EMFILE` before it looks at the queue, so this tells whether a client really waits.
    public var hasPendingConnection: Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0
    }

    /// Stops listening without closing the descriptor: the kernel refuses new connections
    /// (and resets the ones still queued) while threads that watch the descriptor stay safe.
    /// The descriptor then reports hang-up, so unregister it from level-triggered loops.
    public func stopListening() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }
}
