import Synchronization
import Testing

@testable import Sockets

/// Every thread in the exporter shares state through `Synchronization.Mutex`. Under contention, Mutex
/// on Linux hands the lock over in the kernel, out of ThreadSanitizer's sight, unless
/// scripts/tsan-mutex-hooks.c is preloaded (scripts/sanitize.sh thread does). This suite contends
/// one Mutex on purpose, so that if a Swift update breaks the hooks, the TSan stage fails here, every
/// time, instead of on chance somewhere else. Unsanitized it checks that no update is lost.
struct MutexContentionTests {
    /// State with heap storage that every critical section writes, so a missing happens-before edge
    /// between two holders is a data race TSan reports.
    struct Tally {
        var byKey: [Int: Int] = [:]
        var log: [Int] = []
    }

    /// Mutex is ~Copyable, so the threads share it through a class.
    final class Shared: Sendable {
        let tally = Mutex(Tally())
        let won = Mutex(0)
    }

    static let threads = 4
    static let rounds = 4_000

    @Test func contendedWithLockLosesNoUpdate() throws {
        let shared = Shared()
        let workers = try (0..<Self.threads).map { worker in
            try NativeThread.spawn(name: "contend-\(worker)") {
                for round in 0..<Self.rounds {
                    shared.tally.withLock { tally in
                        tally.byKey[round % 8, default: 0] += 1
                        tally.log.append(worker)
                    }
                }
            }
        }
        for worker in workers { worker.join() }
        let (total, logged) = shared.tally.withLock { ($0.byKey.values.reduce(0, +), $0.log.count) }
        #expect(total == Self.threads * Self.rounds)
        #expect(logged == Self.threads * Self.rounds)
    }

    @Test func contendedTryLockLosesNoUpdate() throws {
        let shared = Shared()
        let workers = try (0..<Self.threads).map { worker in
            try NativeThread.spawn(name: "trylock-\(worker)") {
                var mine = 0
                for round in 0..<Self.rounds {
                    let took: Void? = shared.tally.withLockIfAvailable { tally in
                        tally.byKey[round % 8, default: 0] += 1
                        tally.log.append(worker)
                    }
                    if took != nil { mine += 1 }
                }
                shared.won.withLock { $0 += mine }
            }
        }
        for worker in workers { worker.join() }
        let (total, logged) = shared.tally.withLock { ($0.byKey.values.reduce(0, +), $0.log.count) }
        let wins = shared.won.withLock { $0 }
        #expect(wins > 0)
        #expect(total == wins)
        #expect(logged == wins)
    }
}
