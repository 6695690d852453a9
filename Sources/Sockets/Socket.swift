import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// An owned, non-blocking stream socket. Every blocking operation takes a timeout and waits
/// with `poll(2)`, so a silent peer can never hang the caller.
///
/// Not `Sendable`: one socket belongs to one thread at a time. The descriptor is closed
/// when the object is released (or earlier with ``close()``).
public final class Socket {
    /// The file descriptor, or -1 once closed.
    public private(set) var fd: Int32

    /// Takes ownership of `fd` and makes it non-blocking and close-on-exec.
    public init(adopting fd: Int32) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    deinit { close() }

    /// Closes the descriptor (idempotent).
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Cuts every wait on this socket (connect, read, write, and so a TLS stream over it) when
    /// cancelled: they throw ``SocketError/cancelled``. Set it before handing the socket on.
    public var cancellation: CancellationToken?

    /// Connects to `endpoint`, trying each resolved address in turn, within `timeout` overall
    /// (name resolution included).
    public static func connect(to endpoint: SocketEndpoint, timeout: Duration) throws -> Socket {
        try connect(to: endpoint, deadline: Deadline(after: timeout))
    }

    /// Connects to `endpoint` before `deadline`: the name lookup (on ``NameResolver``'s threads,
    /// so a stuck resolver cannot hold the caller past the deadline) and every address tried in
    /// turn share the one deadline. With `cancellation`, the returned socket keeps the token.
    /// - Throws: ``SocketError``: `.timedOut`, `.cancelled`, `.resolution` or the connect failure
    ///   of the last address tried.
    public static func connect(
        to endpoint: SocketEndpoint, deadline: Deadline, cancellation: CancellationToken? = nil,
        resolver: NameResolver = .shared
    ) throws -> Socket {
        let addresses: [SocketAddress]
        switch endpoint {
        case .tcp(let host, let port):
            addresses = try resolver.resolve(host: host, port: port, deadline: deadline, cancellation: cancellation)
        case .unix(let path): addresses = [try SocketAddress.unix(path: path)]
        }
        var lastError = SocketError.failed(call: "connect", errno: ECONNREFUSED)
        for address in addresses {
            do {
                let socket = try connect(to: address, deadline: deadline, cancellation: cancellation)
                if case .tcp = endpoint { socket.setNoDelay() }
                return socket
            } catch let error as SocketError {
                lastError = error
                switch error {
                case .timedOut, .cancelled: throw error
                default: continue
                }
            }
        }
        throw lastError
    }

    /// Connects to one resolved address before `deadline`. Nothing is sent (not even a SYN) once
    /// the deadline has passed or `cancellation` is cancelled; the socket keeps the token.
    public static func connect(
        to address: SocketAddress, deadline: Deadline, cancellation: CancellationToken? = nil
    ) throws -> Socket {
        if cancellation?.isCancelled == true { throw SocketError.cancelled }
        if deadline.hasPassed { throw SocketError.timedOut(operation: "connect to \(address.description)") }
        let raw = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw SocketError.lastError("socket") }
        let socket = Socket(adopting: raw)
        socket.cancellation = cancellation
        let rc = address.withSockaddr { Glibc.connect(raw, $0, $1) }
        if rc != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { throw SocketError.lastError("connect") }
            guard try socket.wait(for: Int16(POLLOUT), deadline: deadline) else {
                throw SocketError.timedOut(operation: "connect to \(address.description)")
            }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(raw, SOL_SOCKET, SO_ERROR, &soError, &len)
            if soError != 0 { throw SocketError.failed(call: "connect", errno: soError) }
        }
        return socket
    }

    /// Disables Nagle's algorithm (small pipelined requests go out at once).
    public func setNoDelay() {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until the socket is ready for `events` (`POLLIN`/`POLLOUT`) or the deadline passes.
    /// Returns false on timeout. Hang-ups and errors count as ready (the next call reports them).
    /// - Throws: ``SocketError/cancelled`` once ``cancellation`` is cancelled.
    public func wait(for events: Int16, deadline: Deadline) throws -> Bool {
        switch try Readiness.wait(fd: fd, events: events, deadline: deadline, cancellation: cancellation) {
        case .ready: return true
        case .timedOut: return false
        case .cancelled: throw SocketError.cancelled
        }
    }

    /// Reads what is available (at most `buffer.count` bytes), waiting until `deadline` for data.
    /// Returns 0 when the peer closed the connection.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try wait(for: Int16(POLLIN), deadline: deadline) else {
                    throw SocketError.timedOut(operation: "read")
                }
            default: throw SocketError.lastError("read")
            }
        }
    }

    /// Writes every byte before `deadline` (never raises SIGPIPE).
    public func writeAll(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 {
                offset += n
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try wait(for: Int16(POLLOUT), deadline: deadline) else {
                    throw SocketError.timedOut(operation: "write")
                }
            case EPIPE, ECONNRESET: throw SocketError.closed
            default: throw SocketError.lastError("send")
            }
        }
    }
}
