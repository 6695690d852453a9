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
            let client = HTTPPeerAddress.peer(of: socket.fd)
            if let client, !admitClient(client) {
                reject(socket, Self.tooManyFromClient)
                continue
            }
            guard reserveConnectionSlot() || (evictConnection() && reserveConnectionSlot()) else {
                if let client { releaseClientSlot(client) }
                server.counters.rejectedAtCap.add(1, ordering: .relaxed)
                if let suppressed = server.warnings.admit("connection-cap") {
                    logger.warning(
                        "connection cap reached and every connection is busy (a request or response in progress); answering 503 (celery_redis_http_connections_rejected_total)",
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
                if let client { releaseClientSlot(client) }
                logger.error("cannot watch connection", metadata: ["error": "\(error)"])
                continue
            }
            let parser = HTTPRequestParser(
                maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes)
            let connection = HTTPConnection(
                socket: socket, client: client, transport: transport, parser: parser, now: now, interest: interest)
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
        guard listener.hasPendingConnection else { return false }
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
            if evictConnection() || shedOne(listener) { return true }
        }
        unregisterListeners()
        acceptPausedUntil = now + 100_000_000
        return false
    }

    /// Releases the reserve descriptor to accept one waiting client, answers it `503` and closes
    /// it, then takes the reserve back. False when there is no reserve or nobody was waiting.
    private func shedOne(_ listener: Listener) -> Bool {
        guard reserve.isHeld else { return false }
        reserve.release()
        defer { reserve.refill() }
        guard let socket = try? listener.accept() else { return false }
        server.counters.shed.add(1, ordering: .relaxed)
        reject(socket, Self.outOfDescriptors)
        return true
    }

    /// Closes one of this loop's connections to make room for a new one: the longest-idle
    /// keep-alive connection (between requests), else the one whose request head has been
    /// arriving longest or that has sent nothing for longest (slowloris: a head dripped a byte
    /// at a time is not work worth keeping a scraper out for). Never one whose head is
    /// complete, whose response is being handled, held or written, or whose pipelined requests
    /// wait their turn. With `client`, only that address's connections are considered (its
    /// per-client cap). Returns false when no connection qualifies.
    ///
    /// A connection whose bytes wait in its socket unread (just accepted in the same batch, or
    /// the rest of a head just arrived) is skipped: a peek tells, for at most 64 candidates.
    /// A scan per eviction (a sort when the first choice has input waiting): it runs only at a
    /// cap or out of descriptors.
    func evictConnection(from client: HTTPPeerAddress? = nil) -> Bool {
        typealias Candidate = (connection: HTTPConnection, reason: HTTPServerStatistics.EvictionReason, since: Int64)
        var candidates: [Candidate] = []
        for connection in connections.values {
            if let client, connection.client != client { continue }
            guard let reason = connection.evictionReason else { continue }
            let since =
                reason == .idle ? connection.lastActivity : (connection.requestStartedAt ?? connection.lastActivity)
            candidates.append((connection, reason, since))
        }
        let comesFirst: (Candidate, Candidate) -> Bool = { a, b in
            a.reason == b.reason ? a.since < b.since : a.reason == .idle
        }
        // Usually the first choice will do: one pass. Only when it has input waiting, a sort.
        guard let first = candidates.min(by: comesFirst) else { return false }
        let order =
            first.connection.socket.hasUnreadInput ? Array(candidates.sorted(by: comesFirst).prefix(64)) : [first]
        for (victim, reason, since) in order where !victim.socket.hasUnreadInput {
            let age = "\((now - since) / 1_000_000)"
            if reason == .partialHead, let suppressed = server.warnings.admit("evict-partial-head") {
                logger.warning(
                    "at a connection cap; closing the connection whose request head has been arriving longest (slowloris?) to admit a new one (celery_redis_http_connections_evicted_total{reason=\"partial_head\"})",
                    metadata: ["head_age_ms": "\(age)", "suppressed": "\(suppressed)"])
            } else {
                logger.debug(
                    "closing a connection to admit a new one",
                    metadata: ["fd": "\(victim.fd)", "reason": "\(reason.rawValue)", "age_ms": "\(age)"])
            }
            close(victim)
            server.counters.evicted(reason)
            return true
        }
        return false
    }

    /// Counts a new connection against its address's cap. At the cap one of the address's own
    /// connections that may be closed makes room; else the newcomer is counted as rejected
    /// (the caller answers `503`) and false returned.
    func admitClient(_ client: HTTPPeerAddress) -> Bool {
        let cap = configuration.effectiveMaxConnectionsPerClient
        if takeClientSlot(client, cap: cap) { return true }
        if evictConnection(from: client), takeClientSlot(client, cap: cap) { return true }
        server.counters.rejectedAtClientCap.add(1, ordering: .relaxed)
        if let suppressed = server.warnings.admit("client-cap") {
            logger.warning(
                "a client address holds its share of connections and none can be closed; answering 503 (celery_redis_http_connections_rejected_total{reason=\"client_cap\"})",
                metadata: ["max_per_client": "\(cap)", "suppressed": "\(suppressed)"])
        }
        return false
    }

    private func takeClientSlot(_ client: HTTPPeerAddress, cap: Int) -> Bool {
        server.clientConnections.withLock { table in
            let open = table[client, default: 0]
            guard open < cap else { return false }
            table[client] = open + 1
            return true
        }
    }

    /// Gives back a slot taken by ``admitClient(_:)``; the address leaves the table at zero.
    func releaseClientSlot(_ client: HTTPPeerAddress) {
        server.clientConnections.withLock { table in
            let open = table[client, default: 0]
            table[client] = open > 1 ? open - 1 : nil
        }
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
        var encoder = HTTPResponseEncoder()
        let response = HTTPResponse.error(.serviceUnavailable, detail: detail)
        return encoder.head(response, bodyLength: response.body.count, keepAlive: false, http10: false) + response.body
    }

    private static let overloaded = closingError("too many open connections")
    private static let tooManyFromClient = closingError("too many open connections from your address")
    private static let outOfDescriptors = closingError("the server is out of file descriptors; try again shortly")

    /// A connection turned away: one non-blocking attempt to send `bytes` (a 503), then close.
    /// Whatever the client already sent is read first, so the close is a FIN rather than a
    /// reset that would destroy the 503 before the client reads it.
    private func reject(_ socket: Socket, _ bytes: [UInt8]) {
        drainInput(socket)
        // On a TLS port plain bytes would be garbage to the client: it just sees the close.
        if server.configuration.tls == nil {
            _ = bytes.withUnsafeBytes { socket.sendAvailable($0) }
        }
        socket.close()
    }
}
