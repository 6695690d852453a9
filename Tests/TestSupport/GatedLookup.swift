import Foundation
import Sockets

/// A lookup that blocks until the test opens the gate: a resolver as slow as the test wants,
/// without sleeping for real time. Records the names asked for. (The same slowness
/// through the real `getaddrinfo` is proven end to end with the LD_PRELOAD shim in
/// `SlowNameResolutionEndToEndTests`.)
public final class GatedLookup: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var open = false
    private var callsStorage: [String] = []

    public init() {}

    public var calls: [String] {
        condition.lock()
        defer { condition.unlock() }
        return callsStorage
    }

    public func release() {
        condition.lock()
        open = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until released, then answers 127.0.0.1 (or fails for names starting with "bad").
    public var lookup: NameResolver.Lookup {
        { [self] host, port in
            condition.lock()
            callsStorage.append(host)
            while !open { condition.wait() }
            condition.unlock()
            if host.hasPrefix("bad") { throw SocketError.resolution(host: host, reason: "Name or service not known") }
            guard let address = SocketAddress.numeric(host: "127.0.0.1", port: port) else {
                throw SocketError.resolution(host: "127.0.0.1", reason: "not a numeric address")
            }
            return [address]
        }
    }
}
