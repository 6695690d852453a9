import Foundation

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks (close-on-exec). The caller owns
/// `fd` and closes it.
public func bindLoopback() throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
        let error = errno
        close(fd)
        throw HarnessError("bind to 127.0.0.1 failed: errno \(error)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, UInt16(bigEndian: addr.sin_port))
}

/// ``bindLoopback()``, then listening with `backlog`: connections complete their handshake in the
/// kernel backlog even when nobody accepts them (how a hung or silent server is played).
public func listenOnLoopback(backlog: Int32) throws -> (fd: Int32, port: UInt16) {
    let (fd, port) = try bindLoopback()
    guard listen(fd, backlog) == 0 else {
        let error = errno
        close(fd)
        throw HarnessError("listen on 127.0.0.1:\(port) failed: errno \(error)")
    }
    return (fd, port)
}
