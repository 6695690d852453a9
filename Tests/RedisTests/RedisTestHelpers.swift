import Foundation
import Redis
import Sockets
import TestSupport

/// A configuration for `server`'s plain TCP port with short timeouts, so failing tests fail fast.
func configuration(for server: RedisServer, password: String? = nil) -> RedisConfiguration {
    RedisConfiguration(
        endpoint: .tcp(host: "127.0.0.1", port: server.port), password: password,
        connectTimeout: .seconds(3), readTimeout: .seconds(3))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A TCP listener that completes handshakes (via the kernel backlog) but never reads or replies:
/// the shape of a hung Redis.
final class SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        (fd, port) = try listenOnLoopback(backlog: 16)
    }

    deinit { close(fd) }
}

/// Seconds elapsed while running `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = Deadline.monotonicNow()
    let result = try body()
    return (result, Double(Deadline.monotonicNow() - start) / 1e9)
}
