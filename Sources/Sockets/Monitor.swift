#if canImport(Glibc)
    import Glibc
#endif

/// A mutex-protected value with a condition variable on `CLOCK_MONOTONIC`, for threads that
/// sleep until work arrives or a deadline passes (the `Synchronization` module's `Mutex` has no
/// condition variable).
///
/// `@unchecked Sendable` is safe: `state` is only touched with `mutex` held (every accessor
/// below locks), and the pthread objects live at stable heap addresses for the object's lifetime.
public final class Monitor<State>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    /// A monitor holding `initial`.
    public init(_ initial: State) {
        state = initial
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the lock held.
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Waits until `ready` holds or the monotonic clock reaches `deadline` (nanoseconds; nil
    /// waits indefinitely), then runs `body` with the lock held.
    public func wait<R>(untilNanoseconds deadline: Int64?, for ready: (State) -> Bool, then body: (inout State) -> R)
        -> R
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) {
            if let deadline {
                if MonotonicClock.nanoseconds() >= deadline { break }
                var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                _ = pthread_cond_timedwait(condition, mutex, &ts)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
        return body(&state)
    }

    /// Wakes every waiter (call after changing the state in `withLock`).
    public func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
