import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// An epoll instance plus an eventfd that wakes it: the readiness half of an event loop.
///
/// `Sendable` because it holds nothing but two descriptors, and `epoll_ctl`, `epoll_wait` and
/// eventfd writes are thread-safe system calls: another thread may ``wake()`` the loop or
/// register descriptors while it waits. What the loop does with the events (connections,
/// buffers) is the caller's state and stays on the caller's thread.
///
/// Level-triggered: a descriptor that stays ready is reported again by the next wait, so a
/// loop may read a bounded amount per event and still never lose data.
public final class EventLoop: Sendable {
    /// The epoll descriptor.
    public let epollFD: Int32
    /// The eventfd that ``wake()`` writes; it is registered with the epoll instance and its
    /// events are filtered out of ``wait(into:timeoutMilliseconds:)``'s results.
    let wakeFD: Int32

    /// Creates the epoll instance and its wake-up eventfd (both close-on-exec).
    public init() throws {
        let ep = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard ep >= 0 else { throw SocketError.lastError("epoll_create1") }
        let efd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard efd >= 0 else {
            let error = SocketError.lastError("eventfd")
            _ = Glibc.close(ep)
            throw error
        }
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.fd = efd
        guard epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0 else {
            let error = SocketError.lastError("epoll_ctl(eventfd)")
            _ = Glibc.close(ep)
            _ = Glibc.close(efd)
            throw error
        }
        epollFD = ep
        wakeFD = efd
    }

    deinit {
        _ = Glibc.close(epollFD)
        _ = Glibc.close(wakeFD)
    }

    /// Starts watching `fd` for `events` (`.hangup` and `.error` are always reported).
    ///
    /// `exclusive` sets `EPOLLEXCLUSIVE`: when several loops watch one listening socket, a new
    /// connection wakes one of them instead of all (no thundering herd). Exclusive registrations
    /// cannot be modified, only removed and added again.
    public func register(_ fd: Int32, for events: IOEvents, exclusive: Bool = false) throws {
        var ev = epoll_event()
        ev.events = events.rawValue | (exclusive ? EPOLLEXCLUSIVE.rawValue : 0)
        ev.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &ev) == 0 else { throw SocketError.lastError("epoll_ctl(ADD)") }
    }

    /// Changes the events watched for `fd`.
    public func modify(_ fd: Int32, for events: IOEvents) throws {
        var ev = epoll_event()
        ev.events = events.rawValue
        ev.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &ev) == 0 else { throw SocketError.lastError("epoll_ctl(MOD)") }
    }

    /// Stops watching `fd`. Errors are ignored: the only ones possible mean it was not registered.
    public func unregister(_ fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMilliseconds` (-1 = forever, 0 = poll) and fills `buffer` with the
    /// ready descriptors. A signal interrupting the wait returns with no events rather than an
    /// error. Returns the number of events in `buffer.ready`.
    @discardableResult
    public func wait(into buffer: inout EventBuffer, timeoutMilliseconds: Int32) throws -> Int {
        buffer.ready.removeAll(keepingCapacity: true)
        buffer.woken = false
        let n = buffer.raw.withUnsafeMutableBufferPointer {
            epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if n < 0 {
            if errno == EINTR { return 0 }
            throw SocketError.lastError("epoll_wait")
        }
        for i in 0..<Int(n) {
            let fd = buffer.raw[i].data.fd
            if fd == wakeFD {
                buffer.woken = true
                var counter: UInt64 = 0
                _ = Glibc.read(wakeFD, &counter, MemoryLayout<UInt64>.size)  // reset the eventfd
                continue
            }
            buffer.ready.append(.init(fd: fd, events: IOEvents(rawValue: buffer.raw[i].events)))
        }
        return buffer.ready.count
    }

    /// Makes a current or the next ``wait(into:timeoutMilliseconds:)`` return promptly.
    /// Safe to call from any thread, any number of times.
    public func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }
}
