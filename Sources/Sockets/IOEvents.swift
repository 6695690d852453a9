import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Readiness conditions of a file descriptor, as reported by (and asked of) an ``EventLoop``.
///
/// A Swift option set rather than epoll's raw bits, so no C type leaks into other modules'
/// code (no C type appears in another module's public API).
public struct IOEvents: OptionSet, Sendable, Hashable {
    /// The epoll bits (`EPOLLIN`, `EPOLLOUT`, ...).
    public let rawValue: UInt32

    /// Creates a set from epoll bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Data (or a pending connection, for a listener) can be read without blocking.
    public static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
    /// Bytes can be written without blocking.
    public static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer shut down its writing half (`EPOLLRDHUP`): the next reads drain and then return 0.
    public static let peerClosed = IOEvents(rawValue: EPOLLRDHUP.rawValue)
    /// Both directions are gone (`EPOLLHUP`); always reported, never needs asking for.
    public static let hangup = IOEvents(rawValue: EPOLLHUP.rawValue)
    /// An error is pending on the descriptor (`EPOLLERR`); always reported, never needs asking for.
    public static let error = IOEvents(rawValue: EPOLLERR.rawValue)
}
