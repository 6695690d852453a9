import Foundation
import Logging
import Synchronization
import Testing

@testable import Exporter

/// Collects completion outcomes from the reload thread.
final class Outcomes: Sendable {
    private let values = Mutex<[String?]>([])
    func append(_ value: String?) { values.withLock { $0.append(value) } }
    var all: [String?] { values.withLock { $0 } }
}

/// A reload that counts its runs, can be held inside, and reports its run number as "failure"
/// so each answer tells which reload produced it.
final class CountingReload: Sendable {
    private let runs = Atomic<Int>(0)
    private let inside = Atomic<Bool>(false)
    private let release = Atomic<Bool>(true)
    var count: Int { runs.load(ordering: .acquiring) }
    var isInside: Bool { inside.load(ordering: .acquiring) }
    func hold() { release.store(false, ordering: .releasing) }
    func letGo() { release.store(true, ordering: .releasing) }

    func run() -> String? {
        let n = runs.add(1, ordering: .acquiringAndReleasing).newValue
        inside.store(true, ordering: .releasing)
        while !release.load(ordering: .acquiring) { usleep(1000) }
        usleep(20_000)
        inside.store(false, ordering: .releasing)
        return "run \(n)"
    }
}

@Suite(.serialized) struct ReloadCoordinatorTests {
    func waitFor(_ condition: () -> Bool) {
        for _ in 0..<500 where !condition() { usleep(10_000) }
    }

    @Test func concurrentRequestsShareAReloadThatStartedAfterThem() throws {
        let reload = CountingReload()
        let coordinator = ReloadCoordinator(minimumInterval: .milliseconds(50), logger: Logger(label: "test")) {
            reload.run()
        }
        try coordinator.start()
        defer { coordinator.stop() }

        // The first request starts reload 1; hold it there.
        reload.hold()
        let first = Outcomes()
        coordinator.request(from: .http) { first.append($0) }
        waitFor { reload.isInside }
        // Fifty requests from several threads while reload 1 runs: it read the files before
        // they arrived, so none may be answered by it; they share reload 2.
        let later = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 50) { _ in
            coordinator.request(from: .http) { later.append($0) }
        }
        coordinator.request(from: .signal)
        reload.letGo()
        waitFor { later.all.count == 50 }
        #expect(first.all == ["run 1"])
        #expect(later.all.count == 50)
        #expect(later.all.allSatisfy { $0 == "run 2" })
        #expect(reload.count == 2)
        let statistics = coordinator.statistics
        #expect(statistics.reloads == 2)
        #expect(statistics.requests[.http] == 51 && statistics.requests[.signal] == 1)
        #expect(statistics.coalesced == 50)
    }

    @Test func waitingRequestsAreCappedAndAnsweredAtStop() throws {
        let reload = CountingReload()
        let coordinator = ReloadCoordinator(
            minimumInterval: .milliseconds(50), maxWaiting: 3, logger: Logger(label: "test")
        ) {
            reload.run()
        }
        try coordinator.start()
        reload.hold()
        let outcomes = Outcomes()
        #expect(coordinator.request(from: .http) { outcomes.append($0) })
        waitFor { reload.isInside }
        #expect(coordinator.request(from: .http) { outcomes.append($0) })
        #expect(coordinator.request(from: .http) { outcomes.append($0) })
        // Three wait (one inside the reload, two for the next): a fourth is refused.
        #expect(!coordinator.request(from: .http) { outcomes.append($0) })
        #expect(coordinator.statistics.refused == 1)
        let stopper = Thread { coordinator.stop() }
        stopper.start()
        usleep(50_000)
        reload.letGo()
        waitFor { outcomes.all.count == 3 }
        // The reload in progress finishes; those still waiting are told the exporter is stopping.
        #expect(outcomes.all.first == "run 1")
        #expect(outcomes.all.dropFirst().allSatisfy { $0 == "the exporter is shutting down" })
        #expect(reload.count == 1)
        #expect(!coordinator.request(from: .signal))
    }
}
