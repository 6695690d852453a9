import Foundation
import Sockets
import TestSupport
import Testing

private func seconds(since start: Int64) -> Double { Double(Deadline.monotonicNow() - start) / 1e9 }

@Suite struct NameResolverTests {
    @Test func literalsNeedNoLookup() throws {
        let gate = GatedLookup()
        let resolver = NameResolver(lookup: gate.lookup)
        let v4 = try resolver.resolve(host: "127.0.0.1", port: 8080, deadline: Deadline(after: .seconds(1)))
        let v6 = try resolver.resolve(host: "::1", port: 443, deadline: Deadline(after: .seconds(1)))
        #expect(v4.map(\.description) == ["127.0.0.1:8080"])
        #expect(v6.map(\.description) == ["[::1]:443"])
        #expect(gate.calls.isEmpty && resolver.statistics.lookupsStarted == 0)
    }

    @Test func realLookupOfLocalhostRunsOnALookupThread() throws {
        let resolver = NameResolver()
        let addresses = try resolver.resolve(host: "localhost", port: 80, deadline: Deadline(after: .seconds(5)))
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.description == "127.0.0.1:80" || $0.description == "[::1]:80" })
        #expect(resolver.statistics.lookupsStarted == 1)
        #expect(waitUntil(timeout: 5) { resolver.statistics.lookupsInFlight == 0 })
    }

    /// Issue 16 row 4: resolution is inside the deadline; the thread left behind is not waited for,
    /// and its late answer serves the next caller instead of a second slow lookup.
    @Test func slowLookupEndsAtTheDeadlineAndItsLateAnswerIsKept() throws {
        let gate = GatedLookup()
        let resolver = NameResolver(lookup: gate.lookup)
        let start = Deadline.monotonicNow()
        #expect(throws: SocketError.timedOut(operation: "resolving slow.example")) {
            try resolver.resolve(host: "slow.example", port: 80, deadline: Deadline(after: .milliseconds(300)))
        }
        let waited = seconds(since: start)
        #expect(waited >= 0.29 && waited < 2, "gave up after \(waited) s")
        var stats = resolver.statistics
        #expect(stats.waitsAbandoned == 1 && stats.lookupsInFlight == 1)

        gate.release()
        #expect(waitUntil(timeout: 5) { resolver.statistics.lookupsInFlight == 0 })
        let later = try resolver.resolve(host: "slow.example", port: 80, deadline: Deadline(after: .seconds(1)))
        #expect(later.map(\.description) == ["127.0.0.1:80"])
        stats = resolver.statistics
        #expect(stats.lookupsStarted == 1, "the abandoned lookup's answer was reused")
        #expect(gate.calls == ["slow.example"])
    }

    @Test func concurrentCallersShareOneLookup() throws {
        let gate = GatedLookup()
        let resolver = NameResolver(lookup: gate.lookup)
        let results = Results()
        let group = DispatchGroup()
        for _ in 0..<5 {
            group.enter()
            Thread.detachNewThread {
                let r = Result {
                    try resolver.resolve(host: "shared.example", port: 9, deadline: Deadline(after: .seconds(10)))
                }
                results.append(r.map { $0.map(\.description) })
                group.leave()
            }
        }
        #expect(waitUntil(timeout: 5) { !gate.calls.isEmpty })
        Thread.sleep(forTimeInterval: 0.2)  // let every caller join
        gate.release()
        group.wait()
        #expect(results.all.count == 5)
        #expect(results.all.allSatisfy { (try? $0.get()) == ["127.0.0.1:9"] })
        #expect(resolver.statistics.lookupsStarted == 1 && gate.calls.count == 1)
        // An answer somebody received is not kept: the next call asks again.
        _ = try resolver.resolve(host: "shared.example", port: 9, deadline: Deadline(after: .seconds(5)))
        #expect(resolver.statistics.lookupsStarted == 2)
    }

    @Test func stuckResolverCannotPileUpThreads() throws {
        let gate = GatedLookup()
        defer { gate.release() }
        let resolver = NameResolver(maxLookupsInFlight: 2, lookup: gate.lookup)
        for host in ["a.example", "b.example"] {
            #expect(throws: SocketError.timedOut(operation: "resolving \(host)")) {
                try resolver.resolve(host: host, port: 80, deadline: Deadline(after: .milliseconds(50)))
            }
        }
        // A retry of a name already being looked up joins it: no new thread, not refused.
        #expect(throws: SocketError.timedOut(operation: "resolving a.example")) {
            try resolver.resolve(host: "a.example", port: 80, deadline: Deadline(after: .milliseconds(50)))
        }
        // A third name is refused at once, with a reason, and counted.
        let start = Deadline.monotonicNow()
        do {
            _ = try resolver.resolve(host: "c.example", port: 80, deadline: Deadline(after: .seconds(10)))
            Issue.record("a third lookup was started")
        } catch {
            guard case .resolution(let host, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(host == "c.example" && reason.contains("already running"))
        }
        #expect(seconds(since: start) < 1, "refused without waiting")
        let stats = resolver.statistics
        #expect(stats.lookupsInFlight == 2 && stats.lookupsStarted == 2 && stats.lookupsRejected == 1)
        #expect(stats.waitsAbandoned == 3)
        #expect(gate.calls.sorted() == ["a.example", "b.example"])
    }

    @Test func cancellationEndsTheWaitAtOnce() throws {
        let gate = GatedLookup()
        defer { gate.release() }
        let resolver = NameResolver(lookup: gate.lookup)
        let token = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        #expect(throws: SocketError.cancelled) {
            try resolver.resolve(
                host: "stuck.example", port: 80, deadline: Deadline(after: .seconds(30)), cancellation: token)
        }
        let waited = seconds(since: start)
        #expect(waited < 2, "cancelled wait lasted \(waited) s (cancel came at 0.3 s)")
        // Already cancelled: no lookup is even started.
        #expect(throws: SocketError.cancelled) {
            try resolver.resolve(
                host: "other.example", port: 80, deadline: Deadline(after: .seconds(30)), cancellation: token)
        }
        #expect(gate.calls == ["stuck.example"])
    }

    @Test func failuresAreReportedToEveryWaiter() throws {
        let gate = GatedLookup()
        gate.release()
        let resolver = NameResolver(lookup: gate.lookup)
        #expect(throws: SocketError.resolution(host: "bad.example", reason: "Name or service not known")) {
            try resolver.resolve(host: "bad.example", port: 80, deadline: Deadline(after: .seconds(5)))
        }
    }

    /// The harness the end-to-end tests rely on: the LD_PRELOAD shim really slows the real
    /// `getaddrinfo` of a child process, and only for its magic names.
    @Test func slowResolverShimDelaysTheRealGetaddrinfo() throws {
        let getent = try requireTool("getent")
        let start = Date()
        let slow = try runCommand(
            getent, ["ahostsv4", SlowResolverShim.host(resolvingIn: 0.5)],
            environment: try SlowResolverShim.environment())
        let took = Date().timeIntervalSince(start)
        #expect(slow.status == 0 && slow.stdout.contains("127.0.0.1"), "getent: \(slow.stdout) \(slow.stderr)")
        #expect(took >= 0.5, "resolved in \(took) s")
        let normal = try runCommand(getent, ["ahostsv4", "localhost"], environment: try SlowResolverShim.environment())
        #expect(normal.status == 0 && normal.stdout.contains("127.0.0.1"))
    }
}

/// Results collected from several threads.
final class Results: @unchecked Sendable {
    // @unchecked: `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [Result<[String], any Error>] = []
    func append(_ r: Result<[String], any Error>) {
        lock.lock()
        storage.append(r)
        lock.unlock()
    }
    var all: [Result<[String], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
