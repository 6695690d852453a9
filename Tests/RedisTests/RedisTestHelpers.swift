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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw HarnessError("cannot listen: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { close(fd) }
}

/// Seconds elapsed while running `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = Deadline.monotonicNow()
    let result = try body()
    return (result, Double(Deadline.monotonicNow() - start) / 1e9)
}
