import Sockets
import TLS

/// Settings of an ``HTTPServer``. Defaults suit a Prometheus exporter: a handful of scrapers
/// on keep-alive connections, small requests, responses up to a few hundred kilobytes.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen: `:9540` (all interfaces, dual-stack), `127.0.0.1:0` (any free port),
    /// `[::1]:9540`. See `Listener.bind(_:backlog:)` for how each form binds.
    public var listenAddresses: [SocketEndpoint]
    /// The most connections open at once, over all loops. At the cap, a new connection makes
    /// room by closing one of the accepting loop's connections: the longest-idle keep-alive
    /// connection (between requests), else the one whose request head has been arriving
    /// longest or that has sent nothing for longest (slowloris), so a scraper always gets in
    /// however many such connections others hold. A connection whose head is complete, or whose
    /// response is being handled or written, is never closed for this. When none qualifies the
    /// newcomer is sent a `503` with `Connection: close` and closed: the cap is never exceeded
    /// and the client learns why instead of waiting in the kernel's backlog.
    public var maxConnections: Int
    /// The most connections open at once from one client IP address (nil: half of
    /// ``maxConnections``, at least 1). At this cap a new connection from that address makes
    /// room by closing one of the address's own idle connections or partial request heads, else
    /// it is answered `503`: one address cannot take every slot and lock other clients out with
    /// connections that cannot be closed (slow readers, requests in progress).
    public var maxConnectionsPerClient: Int?
    /// How long a client may take from the first byte of a request to its last, however it
    /// drips them; then it gets a `408` and the connection closes.
    public var requestTimeout: Duration
    /// How long a keep-alive connection may sit with no request in progress before it is
    /// closed without a response. Only a whole request (or response bytes written) counts as
    /// activity: empty lines between requests do not keep a connection open. Also the longest
    /// a response may make no write progress (a client that stops reading).
    public var idleTimeout: Duration
    /// How long a handler's ``HTTPDeferredResponse`` may take; then the client gets a `503`.
    public var deferredResponseTimeout: Duration
    /// The longest request head (request line, fields, blank line) accepted: 414 or 431 above.
    public var maxHeaderBytes: Int
    /// The largest request body (`Content-Length`) accepted: 413 above.
    public var maxBodyBytes: Int
    /// The number of epoll loop threads. One is plenty for an exporter serving pre-rendered
    /// bytes; more share the listeners (`EPOLLEXCLUSIVE`), each connection staying on one loop.
    public var loopThreads: Int
    /// When set, every listener speaks TLS (HTTPS) with the context this source hands out; the
    /// source re-reads the certificate files when they change.
    public var tls: TLSServerContextSource?

    /// A configuration with the given addresses and defaults elsewhere.
    public init(
        listenAddresses: [SocketEndpoint],
        maxConnections: Int = 1024,
        requestTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        deferredResponseTimeout: Duration = .seconds(30),
        maxHeaderBytes: Int = 16384,
        maxBodyBytes: Int = 65536,
        loopThreads: Int = 1
    ) {
        self.listenAddresses = listenAddresses
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.deferredResponseTimeout = deferredResponseTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.loopThreads = loopThreads
    }

    /// ``maxConnectionsPerClient`` with its default applied.
    public var effectiveMaxConnectionsPerClient: Int {
        maxConnectionsPerClient ?? max(1, maxConnections / 2)
    }
}
