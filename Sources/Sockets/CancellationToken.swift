import CLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A one-way "stop now" signal for blocking waits on other threads.
///
/// Every wait that is given a token — a name lookup (``NameResolver``), a connect, a TLS
/// handshake, a read or a write on a ``Socket`` whose ``Socket/cancellation`` is set — returns
/// ``SocketError/cancelled`` within milliseconds of ``cancel()``, whatever its own deadline. The
/// notifier gives one token to its delivery attempts and cancels it at the shutdown drain
/// deadline, so an attempt stuck on a silent receiver or a slow DNS server is cut there instead
/// of running out its `timeout`.
///
/// How: an eventfd that ``cancel()`` makes readable and that nobody ever reads, so it stays
/// readable and every `poll` that includes it returns at once, now or later: level-triggered,
/// no lost wake-up, any number of waiters on any number of threads. A token is cancelled once
/// and for good; a new scope takes a new token.
///
/// `Sendable`: the descriptor never changes and is closed only in `deinit` (no wait can still
/// hold the token then, so a closed descriptor is never polled); the flag is an `Atomic`.
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)
    /// The eventfd, or -1 when none could be created (descriptor exhaustion); waits then poll
    /// in ``fallbackSlice`` steps and look at the flag, so cancellation still works, only later.
    let fd: Int32

    /// How often a wait looks at the flag when the token has no eventfd.
    static let fallbackSlice: Int32 = 50

    /// A token that is not cancelled.
    public init() {
        fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
    }

    deinit {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// True once ``cancel()`` has been called.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Cancels every wait that holds this token, now and later. Idempotent, thread-safe,
    /// never blocks.
    public func cancel() {
        guard !flag.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if fd >= 0 {
            var one: UInt64 = 1
            _ = Glibc.write(fd, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Cancels at `deadline` (at once when it has passed) and returns without waiting: a small
    /// detached thread sleeps until then, and ends early when the token is cancelled sooner.
    /// A shutdown calls this with its drain deadline, so in-flight work is cut exactly there.
    /// If no thread can be started the token is cancelled now: cutting early is better than
    /// overrunning a shutdown deadline.
    public func cancel(at deadline: Deadline) {
        if deadline.hasPassed {
            cancel()
            return
        }
        do {
            let thread = try NativeThread.spawn(name: "cancel-timer") { [self] in
                while !isCancelled && !deadline.hasPassed {
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let wait =
                        fd >= 0
                        ? deadline.remainingMilliseconds : min(deadline.remainingMilliseconds, Self.fallbackSlice)
                    _ = poll(&pfd, 1, wait)
                }
                cancel()
            }
            _ = pthread_detach(thread.handle)
        } catch {
            cancel()
        }
    }
}
