import CLinux
import Sockets
import Synchronization
import TLS

#if canImport(Glibc)
    import Glibc
#endif

/// Checks passwords against bcrypt hashes on a thread of its own, one at a time: a check takes
/// tens of milliseconds by design, which must never run on an HTTP loop thread, and one at a time
/// keeps a flood of wrong passwords to one core (as exporter-toolkit's lock does).
///
/// The queue holds at most ``capacity`` checks; ``submit(password:hash:completion:)`` refuses
/// more, so a flood cannot queue work (or memory) without bound.
final class BcryptVerifier: Sendable {
    /// A check waiting: the password (wiped once checked), the hash, and who wants the answer.
    private struct Job: Sendable {
        var password: [UInt8]
        var hash: String
        var completion: @Sendable (Bool) -> Void
    }

    /// The most checks waiting at once.
    let capacity: Int
    private let queue = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
    private let wakeFD: Int32
    private let thread = Mutex<NativeThread?>(nil)

    init(capacity: Int = 32) {
        self.capacity = capacity
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        precondition(wakeFD >= 0, "eventfd failed")
    }

    deinit { close(wakeFD) }

    /// Starts the thread.
    func start() throws {
        let spawned = try NativeThread.spawn(name: "bcrypt") { [self] in run() }
        thread.withLock { $0 = spawned }
    }

    /// Queues a check; `completion` runs on the verifier thread with the outcome. False (and no
    /// call) when ``capacity`` checks are already waiting or the verifier has stopped.
    func submit(password: [UInt8], hash: String, completion: @escaping @Sendable (Bool) -> Void) -> Bool {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopped, queue.jobs.count < capacity else { return false }
            queue.jobs.append(Job(password: password, hash: hash, completion: completion))
            return true
        }
        if accepted {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return accepted
    }

    /// Stops the thread after the check in progress; checks still queued are answered false.
    func stop() {
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
                for job in left { job.completion(false) }
                return
            }
            guard var job else {
                var pfd = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, -1)
                var counter: UInt64 = 0
                _ = read(wakeFD, &counter, 8)
                continue
            }
            let ok = Bcrypt.verify(password: job.password, hash: job.hash)
            for i in job.password.indices { job.password[i] = 0 }
            job.completion(ok)
        }
    }
}
