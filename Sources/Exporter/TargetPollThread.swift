import Sockets
import Synchronization

/// A target's long-lived poll thread: started once with its ``TargetRuntime``, it waits for the
/// poller to ask for a poll, runs it and hands the result back. The poller asks every target at
/// the start of a tick and then collects them all, so targets are polled side by side (a slow or
/// dead broker delays only its own poll, until its Redis timeouts end it) and no thread is created
/// per tick.
final class TargetPollThread: Sendable {
    private struct State {
        /// A poll asked for and not yet started: the previous rule evaluation's seconds.
        var request: Double?
        /// The finished poll, until ``TargetPollThread/collect()`` takes it.
        var result: TargetPoll?
        var stopping = false
    }

    private let state = Monitor(State())
    private let thread = Mutex<NativeThread?>(nil)

    /// Starts the thread, named `poll-<name>` (the kernel keeps 15 bytes), running `poll` for
    /// each request.
    func start(name: String?, poll: @escaping @Sendable (_ rulesSeconds: Double) -> TargetPoll) throws {
        let spawned = try NativeThread.spawn(name: "poll-\(name ?? "target")") { [state] in
            while true {
                let request: Double? = state.wait(
                    untilNanoseconds: nil, for: { $0.request != nil || $0.stopping },
                    then: { s in
                        defer { s.request = nil }
                        return s.request
                    })
                // Stops only with nothing asked for: a poll asked for is always answered.
                guard let rulesSeconds = request else { return }
                let result = poll(rulesSeconds)
                state.withLock { $0.result = result }
                state.broadcast()
            }
        }
        thread.withLock { $0 = spawned }
    }

    /// Whether the thread is running (started and not yet joined).
    var isRunning: Bool { thread.withLock { $0 != nil } }

    /// Asks the thread for one poll; false when it is not running (not started, or stopping): then
    /// the caller polls itself and hands the result to ``deliver(_:)``, so a poll is never lost.
    func request(rulesSeconds: Double) -> Bool {
        guard isRunning else { return false }
        let queued = state.withLock { s -> Bool in
            guard !s.stopping else { return false }
            s.request = rulesSeconds
            return true
        }
        if queued { state.broadcast() }
        return queued
    }

    /// A poll the caller made itself (``request(rulesSeconds:)`` said no), for ``collect()``.
    func deliver(_ poll: TargetPoll) {
        state.withLock { $0.result = poll }
    }

    /// Waits for the poll asked for and returns it. Bounded: a poll ends within the target's
    /// Redis timeouts.
    func collect() -> TargetPoll {
        state.wait(
            untilNanoseconds: nil, for: { $0.result != nil },
            then: { s in
                defer { s.result = nil }
                return s.result!
            })
    }

    /// Stops and joins the thread once a poll it runs or was asked for has finished (call when the
    /// poller no longer asks). Idempotent.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        let running = thread.withLock { t -> NativeThread? in
            defer { t = nil }
            return t
        }
        if let running, !running.isCurrent { running.join() }
    }
}
