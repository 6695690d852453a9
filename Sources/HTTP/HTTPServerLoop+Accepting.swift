import Logging
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// Accepting connections: the connection cap (making room by evicting the longest-idle
/// connection) and running out of descriptors (evict, else shed with a `503` on the reserve).
extension HTTPServerLoop {
    func acceptConnections(from fd: Int32) {
        guard let listener = server.listeners.first(where: { $0.fd == fd }) else { return }
        // A bounded batch per wake-up, so a connection storm cannot starve existing clients.
        for _ in 0..<64 {
            let socket: Socket
            do {
                guard let accepted = try listener.accept() else { return }
                socket = accepted
            } catch SocketError.failed(_, let code)
                where code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
            {
                guard outOfResources(code, listener: listener) else { return }
                continue
            } catch {
                if !server.stopping.load(ordering: .relaxed) {
                    logger.error("accept failed", metadata: ["error": "\(error)"])
                }
                return
            }
            guard reserveConnectionSlot() || (evictIdleConnection() && reserveConnectionSlot()) else {
                server.counters.rejectedAtCap.add(1, ordering: .relaxed)
                if let suppressed = server.warnings.admit("connection-cap") {
                    logger.warning(
                        "connection cap reached and no connection is idle; answering 503 (celery_redis_http_connections_rejected_total)",
                        metadata: ["max": "\(configuration.maxConnections)", "suppressed": "\(suppressed)"])
                }
                reject(socket, Self.overloaded)
                continue
            }
            socket.setNoDelay()
            guard let transport = makeTransport(for: socket) else {
                server.openConnections.subtract(1, ordering: .relaxed)
                socket.close()
                continue
            }
            let interest: IOEvents = [.readable, .peerClosed]
            do {
                try events.register(socket.fd, for: interest)
            } catch {
                server.openConnections.subtract(1, ordering: .relaxed)
                logger.error("cannot watch connection", metadata: ["error": "\(error)"])
                continue
            }
            let parser = HTTPRequestParser(
                maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes)
            let connection = HTTPConnection(
                socket: socket, transport: transport, parser: parser, now: now, interest: interest)
            // The TLS handshake is bounded by the request deadline, from now.
            if transport.isHandshaking { connection.requestStartedAt = now }
            connections[socket.fd] = connection
            server.counters.accepted.add(1, ordering: .relaxed)
        }
    }

    /// `accept` failed for lack of descriptors or memory. Frees a descriptor by closing the
    /// longest-idle connection, or else accepts one client on the reserve descriptor to tell it
    /// `503`. Returns true when accepting may go on; false when nobody is waiting or after
    /// pausing accepts for 100 ms (nothing could be freed: a level-triggered listener would
    /// otherwise spin).
    private func outOfResources(_ code: Int32, listener: Listener) -> Bool {
        // The kernel reports EMFILE before it looks at the queue: only act for a real client.
        guard Self.hasPendingConnection(listener.fd) else { return false }
        let reason: String
        switch code {
        case EMFILE:
            reason = "emfile"
            server.counters.acceptEMFILE.add(1, ordering: .relaxed)
        case ENFILE:
            reason = "enfile"
            server.counters.acceptENFILE.add(1, ordering: .relaxed)
        default:
            reason = "enomem"
            server.counters.acceptENOMEM.add(1, ordering: .relaxed)
        }
        if let suppressed = server.warnings.admit("accept-\(reason)") {
            logger.warning(
                "cannot accept: out of file descriptors or memory; closing idle connections, else answering 503 (celery_redis_http_accept_errors_total)",
                metadata: [
                    "errno": "\(code)", "open_connections": "\(server.openConnections.load(ordering: .relaxed))",
                    "suppressed": "\(suppressed)",
                ])
        }
        if code == EMFILE || code == ENFILE {
            if evictIdleConnection() || shedOne(listener) { return true }
        }
        unregisterListeners()
        acceptPausedUntil = now + 100_000_000
        return false
    }

    /// True when a connection waits in `fd`'s accept queue.
    private static func hasPendingConnection(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0
    }

    /// Releases the reserve descriptor to accept one waiting client, answers it `503` and closes
    /// it, then takes the reserve back. False when there is no reserve or nobody was waiting.
    private func shedOne(_ listener: Listener) -> Bool {
        guard let reserve = reserveFD else { return false }
        _ = Glibc.close(reserve)
        reserveFD = nil
        defer { reserveFD = Self.openReserve() }
        guard let socket = try? listener.accept() else { return false }
        server.counters.shed.add(1, ordering: .relaxed)
        reject(socket, Self.outOfDescriptors)
        return true
    }

    /// `/dev/null` opened read-only: a descriptor to give back when the process runs out.
    static func openReserve() -> Int32? {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    /// Closes this loop's connection that has been idle longest (no request arriving, no
    /// response being written or awaited), to make room for a new one. Returns false when
    /// none is idle.
    ///
    /// A connection whose request bytes wait in its socket but have not been read yet (just
    /// accepted in the same batch) is not idle: a peek tells, and it is skipped. A linear scan
    /// per attempt: it runs only at the cap or out of descriptors, over this loop's connections.
    func evictIdleConnection() -> Bool {
        var skipped = Set<Int32>()
        for _ in 0..<16 {
            var oldest: HTTPConnection?
            for connection in connections.values
            where connection.isIdle && connection.requestStartedAt == nil && !skipped.contains(connection.fd) {
                if oldest == nil || connection.lastActivity < oldest!.lastActivity { oldest = connection }
            }
            guard let oldest else { return false }
            if hasUnreadInput(oldest.fd) {
                skipped.insert(oldest.fd)
                continue
            }
            logger.debug(
                "closing the longest-idle connection to admit a new one",
                metadata: ["fd": "\(oldest.fd)", "idle_ms": "\((now - oldest.lastActivity) / 1_000_000)"])
            close(oldest)
            server.counters.evicted.add(1, ordering: .relaxed)
            return true
        }
        return false
    }

    /// True when the peer has sent bytes not read yet (a peek; end of stream counts as none).
    private func hasUnreadInput(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }

    /// Counts a new connection against the cap shared by all loops; false when full.
    private func reserveConnectionSlot() -> Bool {
        var current = server.openConnections.load(ordering: .relaxed)
        while current < configuration.maxConnections {
            let (exchanged, original) = server.openConnections.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func closingError(_ detail: String) -> [UInt8] {
        var out: [UInt8] = []
        var encoder = HTTPResponseEncoder()
        let response = HTTPResponse.error(.serviceUnavailable, detail: detail)
        encoder.encodeHead(response, bodyLength: response.body.count, keepAlive: false, http10: false, into: &out)
        return out + response.body
    }

    private static let overloaded = closingError("too many open connections")
    private static let outOfDescriptors = closingError("the server is out of file descriptors; try again shortly")

    /// A connection turned away: one non-blocking attempt to send `bytes` (a 503), then close.
    /// Whatever the client already sent is read first, so the close is a FIN rather than a
    /// reset that would destroy the 503 before the client reads it.
    private func reject(_ socket: Socket, _ bytes: [UInt8]) {
        drainInput(socket.fd)
        // On a TLS port plain bytes would be garbage to the client: it just sees the close.
        if server.configuration.tls == nil {
            _ = bytes.withUnsafeBytes { send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        socket.close()
    }
}
