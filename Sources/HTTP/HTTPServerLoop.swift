import Logging
import Sockets

/// One epoll loop: accepts from the shared listeners, reads, parses, calls the handler, writes,
/// and enforces the timeouts. Created and run on its own thread; everything it holds apart from
/// `server` and `events` is confined to that thread.
final class HTTPServerLoop {
    let server: HTTPServer
    let events: EventLoop
    let index: Int
    let logger: Logger
    let configuration: HTTPServerConfiguration

    var connections: [Int32: HTTPConnection] = [:]
    var listenerFDs: Set<Int32>
    var listenersRegistered = false
    /// Set when accepting failed for lack of descriptors: accepting resumes at this time.
    var acceptPausedUntil: Int64?
    var draining = false
    var encoder = HTTPResponseEncoder()
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Carries TLS ciphertext from a socket to OpenSSL (one per loop, shared by its connections).
    var tlsScratch = [UInt8](repeating: 0, count: 32 * 1024)
    /// Connections with received bytes buffered inside TLS, which epoll cannot report: read
    /// again after this turn's events without waiting.
    var readAgain: [Int32: HTTPConnection] = [:]
    var now: Int64 = Deadline.monotonicNow()
    /// A descriptor held in reserve: when `accept` fails with `EMFILE` and no idle connection
    /// can be closed, it is released to accept one client and answer `503`, so clients learn at
    /// once instead of waiting in the backlog. Not held while it cannot be reopened.
    let reserve = ReserveDescriptor()
    /// Connections with a deferred response still waiting (checked when a completion wakes the loop).
    var awaiting: [ObjectIdentifier: HTTPConnection] = [:]
    /// Set by a completing deferred response (from any thread) before it wakes the loop.
    let completions = CompletionFlag()

    let requestTimeout: Int64
    let idleTimeout: Int64
    let deferredTimeout: Int64
    /// How often timeouts are checked: a fraction of the shorter timeout, so a deadline is
    /// noticed within an eighth of it (at most 250 ms late), at a cost of one pass over this
    /// loop's connections per interval.
    let sweepInterval: Int64
    /// Above this many unsent bytes a connection stops reading and parsing: a client that
    /// pipelines requests but does not read responses cannot make the server buffer without bound.
    /// Unsent output per connection stays below this plus one response.
    let outputHighWater = 256 * 1024
    /// A read stops once this many request bytes wait unanswered, and a connection is read
    /// only after every complete request already buffered is answered: buffered input per
    /// connection stays below this plus one request (head and body limits) plus one read.
    let inputHighWater = 64 * 1024
    /// The most requests one connection may have answered per loop turn, and the most bytes
    /// written to it per turn: past either it waits for the next turn (fairness: a fast
    /// pipelining client cannot keep the loop to itself while others wait).
    let requestsPerTurn = 32
    let writeBytesPerTurn = 256 * 1024
    /// Connections that used their turn's budget with requests still buffered: serviced again
    /// next turn (no epoll event would wake them: their bytes are already read).
    var yieldedNext: [Int32] = []
    /// Counts loop turns, so a connection is given at most one budget per turn.
    var turn: UInt64 = 0
    /// Above this many responses held behind a deferred one, a connection stops reading and
    /// parsing (pipelined requests wait in the socket buffer).
    let maxHeldResponses = 64
    /// On TLS, bodies up to this size are copied behind the head (one record); larger ones, and
    /// every body on plain TCP, are queued as their own chunk (no copy of a pre-rendered
    /// /metrics body; plain TCP sends head and body in one gathering write).
    let coalesceLimit = 16 * 1024

    init(server: HTTPServer, events: EventLoop, index: Int) {
        self.server = server
        self.events = events
        self.index = index
        self.configuration = server.configuration
        var logger = server.logger
        logger[metadataKey: "loop"] = "\(index)"
        self.logger = logger
        self.listenerFDs = Set(server.listeners.map(\.fd))
        self.requestTimeout = Self.nanoseconds(configuration.requestTimeout)
        self.idleTimeout = Self.nanoseconds(configuration.idleTimeout)
        self.deferredTimeout = Self.nanoseconds(configuration.deferredResponseTimeout)
        let shorter = min(requestTimeout, idleTimeout)
        self.sweepInterval = max(5_000_000, min(250_000_000, shorter / 8))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: - The loop

    func run() {
        defer { reserve.release() }
        registerListeners()
        var buffer = EventBuffer(capacity: 256)
        var nextSweep = now + sweepInterval
        while true {
            now = Deadline.monotonicNow()
            var wakeAt = nextSweep
            if draining { wakeAt = min(wakeAt, server.graceDeadline.load(ordering: .relaxed)) }
            if let pausedUntil = acceptPausedUntil { wakeAt = min(wakeAt, pausedUntil) }
            var timeout = Int32(clamping: max(0, (wakeAt - now + 999_999) / 1_000_000))
            if !yieldedNext.isEmpty || !readAgain.isEmpty { timeout = 0 }  // someone waits for their next turn
            do {
                try events.wait(into: &buffer, timeoutMilliseconds: timeout)
            } catch {
                logger.error("epoll_wait failed; closing this loop's connections", metadata: ["error": "\(error)"])
                break
            }
            now = Deadline.monotonicNow()
            turn &+= 1
            let due = yieldedNext
            yieldedNext = []
            if !draining, server.stopping.load(ordering: .acquiring) { beginDrain() }
            for event in buffer.ready {
                if listenerFDs.contains(event.fd) {
                    if event.events.contains(.hangup) || event.events.contains(.error) || draining {
                        unregisterListeners()  // stopped listening: level-triggered HUP would spin
                    } else {
                        acceptConnections(from: event.fd)
                    }
                } else if let connection = connections[event.fd] {
                    handle(connection, event.events)
                }
            }
            for fd in due {
                guard let connection = connections[fd], connection.yielded, connection.servicedTurn != turn else {
                    continue
                }
                service(connection)
            }
            if !readAgain.isEmpty {
                let again = readAgain
                readAgain = [:]
                for (fd, connection) in again where connections[fd] === connection {
                    // One service per turn (fairness): one already served waits for the next turn.
                    if connection.servicedTurn == turn {
                        readAgain[fd] = connection
                    } else {
                        handle(connection, .readable)
                    }
                }
            }
            if completions.take() { releaseCompletedResponses() }
            if let pausedUntil = acceptPausedUntil, now >= pausedUntil, !draining {
                acceptPausedUntil = nil
                registerListeners()
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now + sweepInterval
            }
            if draining {
                if connections.isEmpty { break }
                if now >= server.graceDeadline.load(ordering: .relaxed) {
                    logger.debug("grace period over", metadata: ["closing": "\(connections.count)"])
                    break
                }
            }
        }
        unregisterListeners()
        for connection in Array(connections.values) { close(connection) }
    }

    func registerListeners() {
        guard !listenersRegistered, !draining else { return }
        for listener in server.listeners {
            do {
                // With several loops, EPOLLEXCLUSIVE wakes one of them per connection, not all.
                try events.register(listener.fd, for: .readable, exclusive: server.loops.count > 1)
            } catch {
                logger.error("cannot watch listener", metadata: ["address": "\(listener.address.description)"])
            }
        }
        listenersRegistered = true
    }

    func unregisterListeners() {
        guard listenersRegistered else { return }
        for listener in server.listeners { events.unregister(listener.fd) }
        listenersRegistered = false
    }

    private func beginDrain() {
        draining = true
        unregisterListeners()
        for connection in Array(connections.values) {
            if connection.isIdle {
                close(connection)  // idle keep-alive: nothing in flight
            } else if !connection.parser.hasPartialRequest && connection.held.isEmpty {
                connection.closeAfterWrite = true
                updateInterest(connection)
            }
            // A request still arriving is read to its end, and a deferred response awaited;
            // both are answered with Connection: close.
        }
    }

    // MARK: - Connection events

    func handle(_ connection: HTTPConnection, _ ready: IOEvents) {
        if ready.contains(.error) || ready.contains(.hangup) {
            close(connection)
            return
        }
        if ready.contains(.writable) {
            guard flush(connection, budget: writeBytesPerTurn) else { return }
        }
        if ready.contains(.readable) || ready.contains(.peerClosed) {
            guard read(connection) else { return }
        }
        service(connection)
    }

    /// Reads what is available (a bounded amount per event: level-triggered epoll reports the
    /// rest next time) into the parser. Returns false when the connection was closed.
    private func read(_ connection: HTTPConnection) -> Bool {
        for _ in 0..<4 {
            let result = readBuffer.withUnsafeMutableBytes { buffer in
                tlsScratch.withUnsafeMutableBytes { scratch in
                    connection.transport.read(connection.socket, into: buffer, scratch: scratch)
                }
            }
            switch result {
            case .transferred(let n):
                // Not activity by itself: only a whole request is (see answerRequests), so
                // empty lines or a trickle cannot keep an idle connection open.
                readBuffer.withUnsafeBytes { connection.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                account(connection)
                if connection.parser.bufferedByteCount >= inputHighWater { return true }
                // A short plain read drained the socket; TLS gives a record at a time, so only
                // wouldBlock says it is drained.
                if n < readBuffer.count, case .plain = connection.transport { return true }
            case .wouldBlock:
                return true
            case .endOfStream:
                if connection.transport.isHandshaking {
                    close(connection)  // gone before the handshake finished: nothing to answer
                    return false
                }
                connection.inputClosed = true
                return true
            case .failed(let tlsError, let plainHTTP):
                if let tlsError { tlsFailed(connection, tlsError, plainHTTP: plainHTTP) }
                close(connection)  // ECONNRESET, a failed handshake: nothing left to answer
                return false
            }
        }
        return true
    }

    /// Answers the complete requests buffered, writes, and decides what to wait for next,
    /// within this turn's budget of requests and bytes written for the connection.
    func service(_ connection: HTTPConnection) {
        connection.yielded = false
        connection.servicedTurn = turn
        var requestBudget = requestsPerTurn
        var writeBudget = writeBytesPerTurn
        while true {
            let answered = answerRequests(connection, limit: requestBudget)
            requestBudget -= answered
            account(connection)
            let unsent = connection.pendingBytes
            guard flush(connection, budget: writeBudget) else { return }
            writeBudget -= unsent - connection.pendingBytes
            if answered == 0 || connection.closeAfterWrite || connection.held.count >= maxHeldResponses { break }
            let waiting = connection.parser.bufferedByteCount > 0
            if connection.pendingBytes >= outputHighWater {
                // Backpressure: no more reading or answering until the client reads.
                if waiting { server.counters.pausedOutputCap.add(1, ordering: .relaxed) }
                break
            }
            if requestBudget <= 0 || writeBudget <= 0 {
                if waiting {
                    connection.yielded = true
                    yieldedNext.append(connection.fd)
                    server.counters.pausedTurnBudget.add(1, ordering: .relaxed)
                }
                break
            }
        }
        // With nothing left to send, every complete request has been answered (parsing only
        // pauses while output is pending). After the peer's last byte, a request cut short can
        // never complete, so the connection is done. A half-closed peer (`shutdown(SHUT_WR)`)
        // still gets every response to the requests it completed.
        if connection.allAnswered && !connection.yielded && (connection.inputClosed || connection.closeAfterWrite) {
            close(connection)
            return
        }
        updateInterest(connection)
    }

    /// Parses and answers requests until the parser needs more bytes, the output backlog is
    /// large, or the connection is to close. Returns how many responses were queued.
    private func answerRequests(_ connection: HTTPConnection, limit: Int) -> Int {
        var answered = 0
        while answered < limit && !connection.closeAfterWrite && connection.pendingBytes < outputHighWater
            && connection.held.count < maxHeldResponses
        {
            switch connection.parser.next() {
            case .needMoreData:
                if connection.parser.expectsContinue && !connection.sentContinue && !draining {
                    connection.enqueue(Self.continueResponse)
                    connection.sentContinue = true
                }
                // A TLS handshake counts as the start of the first request: the same deadline cuts it.
                if connection.parser.hasPartialRequest || connection.transport.isHandshaking {
                    if connection.requestStartedAt == nil { connection.requestStartedAt = now }
                } else {
                    connection.requestStartedAt = nil
                }
                return answered
            case .request(let request):
                connection.requestStartedAt = nil
                connection.hasCompletedRequest = true
                connection.sentContinue = false
                connection.lastActivity = now
                respond(connection, to: request)
                answered += 1
            case .error(let error):
                let status = HTTPStatus(for: error)
                logger.debug("bad request", metadata: ["status": "\(status.code)", "error": "\(error)"])
                sendError(connection, status, detail: error.description)
                answered += 1
            }
        }
        return answered
    }

    private func respond(_ connection: HTTPConnection, to request: HTTPRequest) {
        let response = server.handler(request)
        let traits = HTTPConnection.RequestTraits(
            wantsKeepAlive: request.wantsKeepAlive, http10: request.version == .http10, isHead: request.isHead,
            method: request.method, path: request.path)
        if let pending = response.pending {
            // Answered later from another thread; later pipelined responses wait behind it.
            connection.held.append(.deferred(pending, request: traits, since: now))
            connection.deferredCount += 1
            awaiting[ObjectIdentifier(connection)] = connection
            let completions = self.completions
            let events = self.events
            pending.onCompletion {
                completions.set()
                events.wake()
            }
            return
        }
        let (head, body) = encode(response, for: traits, coalescing: connection.transport.coalescesSmallBodies)
        connection.enqueue(head)
        if let body { connection.enqueue(body) }
        if !keepAlive(response, traits) { connection.closeAfterWrite = true }
    }

    /// Whether the connection stays open after `response`.
    func keepAlive(_ response: HTTPResponse, _ traits: HTTPConnection.RequestTraits) -> Bool {
        let handlerCloses = response.preparedHead?.closes ?? HTTPResponse.asksToClose(response.headers)
        return traits.wantsKeepAlive && !handlerCloses && !draining
    }

    /// The wire bytes of `response`: its head, and its body apart (the handler's array, shared,
    /// not copied), or nil when there is none to send (HEAD, 204, 304). With `coalescing`
    /// (TLS), a small body is copied behind the head instead, so both go in one record.
    func encode(_ response: HTTPResponse, for traits: HTTPConnection.RequestTraits, coalescing: Bool) -> (
        head: [UInt8], body: [UInt8]?
    ) {
        let status = HTTPStatus(response.status)
        let sendsBody = !traits.isHead && !status.forbidsBody && !response.body.isEmpty
        var head = encoder.head(
            response, bodyLength: response.body.count, keepAlive: keepAlive(response, traits), http10: traits.http10)
        logger.trace(
            "request",
            metadata: [
                "method": "\(traits.isHead ? "HEAD" : traits.method)", "path": "\(traits.path)",
                "status": "\(response.status)",
            ])
        if sendsBody && coalescing && response.body.count <= coalesceLimit {
            head += response.body
            return (head, nil)
        }
        return (head, sendsBody ? response.body : nil)
    }

    /// Queues an error response with `Connection: close` (after an error the rest of the input
    /// cannot be trusted to start at a request boundary).
    func sendError(_ connection: HTTPConnection, _ status: HTTPStatus, detail: String) {
        let response = HTTPResponse.error(status, detail: detail)
        var bytes = encoder.head(response, bodyLength: response.body.count, keepAlive: false, http10: false)
        bytes += response.body
        connection.enqueue(bytes)
        connection.closeAfterWrite = true
        connection.requestStartedAt = nil
    }

    /// Writes as much queued output as the socket takes, up to `budget` bytes; the rest waits
    /// for EPOLLOUT (level-triggered: a connection stopped by its budget is reported writable
    /// again next turn). Closes the connection when it is done and marked to close. Returns
    /// false once closed.
    func flush(_ connection: HTTPConnection, budget: Int = .max) -> Bool {
        var budget = budget
        // First what the transport holds (TLS records, handshake messages): nothing more is
        // encrypted until the socket has taken it.
        if connection.transport.hasPendingOutput {
            switch connection.transport.flushPending() {
            case .failed:
                close(connection)  // EPIPE, ECONNRESET: the client is gone
                return false
            case .wouldBlock:
                return true
            case .transferred, .endOfStream:
                connection.lastActivity = now
            }
        }
        writing: while budget > 0, !connection.output.isEmpty {
            let result = connection.transport.write(
                connection.socket, connection.output[...], skippingFirst: connection.outputOffset, budget: budget)
            switch result {
            case .transferred(let n) where n > 0:
                connection.lastActivity = now
                connection.consume(n)
                budget -= n
            case .transferred, .wouldBlock:
                break writing
            case .endOfStream, .failed:
                close(connection)  // EPIPE, ECONNRESET: the client is gone
                return false
            }
        }
        if connection.allAnswered && connection.closeAfterWrite {
            close(connection)
            return false
        }
        return true
    }

    func updateInterest(_ connection: HTTPConnection) {
        account(connection)
        var wanted: IOEvents = []
        if !connection.inputClosed && !connection.closeAfterWrite && connection.pendingBytes < outputHighWater
            && connection.held.count < maxHeldResponses && !connection.yielded
        {
            wanted.formUnion([.readable, .peerClosed])
        }
        if connection.hasUnsentOutput { wanted.insert(.writable) }
        if wanted.contains(.readable) && connection.transport.hasBufferedInput {
            readAgain[connection.fd] = connection
        }
        guard wanted != connection.interest else { return }
        do {
            try events.modify(connection.fd, for: wanted)
            connection.interest = wanted
        } catch {
            close(connection)
        }
    }

    // MARK: - Timeouts and closing

    private func sweep() {
        reserve.refill()
        expireDeferredResponses()
        for connection in Array(connections.values) {
            if connection.transport.isHandshaking {
                // No HTTP can be spoken before the handshake: past the request deadline (from
                // accept), close without an answer, whether the client stalls sending or reading.
                if let started = connection.requestStartedAt, now - started > requestTimeout {
                    server.counters.tlsHandshakeTimeouts.add(1, ordering: .relaxed)
                    logger.debug("TLS handshake timed out", metadata: ["fd": "\(connection.fd)"])
                    close(connection)
                }
            } else if connection.hasUnsentOutput {
                if now - connection.lastActivity > idleTimeout {
                    logger.debug("client stopped reading; closing", metadata: ["fd": "\(connection.fd)"])
                    close(connection)
                }
            } else if !connection.held.isEmpty {
                continue  // waiting for a deferred response: expireDeferredResponses bounds it
            } else if let started = connection.requestStartedAt {
                if now - started > requestTimeout {
                    server.counters.requestTimeouts.add(1, ordering: .relaxed)
                    logger.debug("request timed out", metadata: ["fd": "\(connection.fd)"])
                    sendError(connection, .requestTimeout, detail: "the request did not arrive in time")
                    _ = flush(connection)
                    if connections[connection.fd] != nil { updateInterest(connection) }
                }
            } else if now - connection.lastActivity > idleTimeout {
                close(connection)  // idle keep-alive: closed without a response (RFC 9112 §9.8)
            }
        }
    }

    /// Reads and discards what the peer already sent, so closing sends FIN, not RST.
    func drainInput(_ socket: Socket) {
        readBuffer.withUnsafeMutableBytes { socket.discardInput(scratch: $0) }
    }

    func close(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.fd) != nil else { return }
        server.counters.queued(from: connection.accountedBytes, to: 0)
        connection.accountedBytes = 0
        if let client = connection.client { releaseClientSlot(client) }
        if connection.deferredCount > 0 { awaiting[ObjectIdentifier(connection)] = nil }
        events.unregister(connection.fd)
        readAgain[connection.fd] = nil
        connection.transport.shutdown()
        if !connection.inputClosed { drainInput(connection.socket) }
        connection.socket.close()
        server.openConnections.subtract(1, ordering: .relaxed)
    }

    /// Brings the server's queued-bytes gauge (and per-connection peak) up to date for `connection`.
    func account(_ connection: HTTPConnection) {
        let queued = connection.queuedBytes
        server.counters.queued(from: connection.accountedBytes, to: queued)
        connection.accountedBytes = queued
    }
}
