import CLinux
import Sockets
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A thread of its own for a handler's slow work, one job at a time, so it never runs on an HTTP
/// loop thread: bcrypt checks (``BcryptVerifier``), the Alertmanager API's filtered reads.
///
/// At most ``capacity`` jobs wait; ``submit(_:cancel:)`` refuses more, so a flood cannot queue work
/// (or memory) without bound. ``deferred(_:)`` is the usual use: the answer comes through an
/// ``HTTPDeferredResponse``.
public final class HTTPWorkThread: Sendable {
    private struct Job: Sendable {
        var run: @Sendable () -> Void
        var cancel: @Sendable () -> Void
    }

    /// The most jobs waiting at once.
    public let capacity: Int
    private let name: String
    private let queue = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
    private let wakeFD: Int32
    private let thread = Mutex<NativeThread?>(nil)

    /// A thread named `name` (not started) taking at most `capacity` waiting jobs.
    public init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        precondition(wakeFD >= 0, "eventfd failed")
    }

    deinit { close(wakeFD) }

    /// Starts the thread.
    public func start() throws {
        let spawned = try NativeThread.spawn(name: name) { [self] in run() }
        thread.withLock { $0 = spawned }
    }

    /// Queues `run`; `cancel` runs instead when the thread stops first. False (and neither is
    /// called) when ``capacity`` jobs are already waiting or the thread has stopped.
    public func submit(_ run: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void) -> Bool {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopped, queue.jobs.count < capacity else { return false }
            queue.jobs.append(Job(run: run, cancel: cancel))
            return true
        }
        if accepted {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return accepted
    }

    /// `work`'s response, computed on this thread and answered through a deferred response (a
    /// 503 if the thread stops first); nil when the queue is full.
    public func deferred(_ work: @escaping @Sendable () -> HTTPResponse) -> HTTPResponse? {
        let pending = HTTPDeferredResponse()
        let accepted = submit(
            { pending.complete(work()) },
            cancel: { pending.complete(.error(.serviceUnavailable, detail: "shutting down")) })
        return accepted ? .deferred(pending) : nil
    }

    /// Stops the thread after the job in progress; jobs still queued are cancelled.
    public func stop() {
        queue.withLock { $0.stopped = true }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
        if let thread = thread.withLock({ value -> NativeThread? in
            defer { value = nil }
            return value
        }) {
            thread.join()
        }
    }

    private func run() {
        while true {
            let (job, stopped) = queue.withLock { queue -> (Job?, Bool) in
                if queue.stopped { return (nil, true) }
                return (queue.jobs.isEmpty ? nil : queue.jobs.removeFirst(), false)
            }
            if stopped {
                let left = queue.withLock { queue -> [Job] in
                    defer { queue.jobs = [] }
                    return queue.jobs
                }
                for job in left { job.cancel() }
                return
            }
            guard let job else {
                var pfd = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, -1)
                var counter: UInt64 = 0
                _ = read(wakeFD, &counter, 8)
                continue
            }
            job.run()
        }
    }
}
