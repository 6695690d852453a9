import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Reusable storage for the events one ``EventLoop/wait(into:timeoutMilliseconds:)`` call returns.
///
/// Each loop thread owns one buffer and reuses it for every wait, so the hot path allocates
/// nothing. Not `Sendable`: it belongs to the thread that waits.
public struct EventBuffer {
    /// One ready descriptor and what it is ready for.
    public struct Event: Sendable, Equatable {
        /// The descriptor registered with the loop.
        public var fd: Int32
        /// The conditions that are true for it now.
        public var events: IOEvents

        /// An event from its parts (tests compare against these).
        public init(fd: Int32, events: IOEvents) {
            self.fd = fd
            self.events = events
        }
    }

    var raw: [epoll_event]
    /// The events of the last wait, wake-ups of the loop itself already removed.
    public internal(set) var ready: [Event] = []
    /// True when the last wait returned because ``EventLoop/wake()`` was called.
    public internal(set) var woken = false

    /// A buffer that receives at most `capacity` events per wait (more stay queued in the kernel).
    public init(capacity: Int = 256) {
        precondition(capacity > 0, "an event buffer needs room for at least one event")
        raw = [epoll_event](repeating: epoll_event(), count: capacity)
        ready.reserveCapacity(capacity)
    }
}
