import Foundation
import Sockets
import TestSupport

/// A plain TCP listener on 127.0.0.1 and a kernel-chosen port, written with Glibc directly so
/// these tests depend only on `Socket` from the Sockets module. Connections queue in the kernel
/// backlog even when nobody calls ``accept(timeout:)`` (that is how the "silent server" works).
final class TestListener: Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        (fd, port) = try listenOnLoopback(backlog: 16)
    }

    deinit { close(fd) }

    /// Accepts one connection, waiting at most `timeout` seconds.
    func accept(timeout: Double = 5) throws -> Socket {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { throw HarnessError("no connection within \(timeout) s") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw HarnessError("accept failed: errno \(errno)") }
        return Socket(adopting: client)
    }
}
