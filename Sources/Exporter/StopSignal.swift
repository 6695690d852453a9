import CLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A one-shot "please stop" that sleeping threads can wait on with a timeout.
/// Backed by an eventfd, so `trigger()` is async-signal-safe and wakes every waiter at once.
public final class StopSignal: Sendable {
    private let fd: Int32
    private let triggered = Atomic<Bool>(false)

    public init() {
        fd = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        precondition(fd >= 0, "eventfd failed")
    }

    deinit { close(fd) }

    /// Whether stop was requested.
    public var isTriggered: Bool { triggered.load(ordering: .acquiring) }

    /// Requests stop and wakes all waiters. Safe to call from a signal handler.
    public func trigger() {
        triggered.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Sleeps up to `seconds`; returns true when stop was requested (early or already).
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        if isTriggered { return true }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, min(seconds * 1000, Double(Int32.max))).rounded(.up))
        _ = poll(&pfd, 1, ms)  // level-triggered: the counter is never read, so every waiter sees it
        return isTriggered
    }
}
