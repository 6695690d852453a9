import Testing

@testable import Celery

@Suite struct EventsWorkerRegistryTests {
    let t0 = 1_000.0

    func heartbeat(_ host: String = "w1@vm", active: Int = 0, processed: Int = 0, freq: Double? = 2)
        -> CeleryEvent.Worker
    {
        CeleryEvent.Worker(kind: .heartbeat, hostname: host, frequency: freq, active: active, processed: processed)
    }

    func subscribed(_ configuration: CeleryEventConfiguration = CeleryEventConfiguration()) -> WorkerRegistry {
        var registry = WorkerRegistry(configuration: configuration)
        registry.subscriptionStarted(at: t0)
        return registry
    }

    @Test func sigkilledWorkerReadsDownAfterThreeMissedHeartbeats() {
        var registry = subscribed()
        registry.record(heartbeat(active: 2, processed: 5), at: t0 + 1)
        #expect(
            registry.statuses(at: t0 + 1) == [
                .init(hostname: "w1@vm", isUp: true, active: 2, processed: 5, lastSeen: t0 + 1)
            ])
        // Last heartbeat at t0+1; freq 2 → up through t0+7, down after (within 10 s of the kill).
        #expect(registry.statuses(at: t0 + 7)[0].isUp)
        let down = registry.statuses(at: t0 + 7.001)[0]
        #expect(!down.isUp)
        #expect(down.active == 0)  // its tasks are not running any more
        #expect(down.processed == 5)
        #expect(down.downSince == t0 + 7)
        #expect(registry.liveHostnames(at: t0 + 8) == [])
    }

    @Test func announcedFrequencyScalesTheWindow() {
        var registry = subscribed()
        registry.record(heartbeat(freq: 10), at: t0)
        #expect(registry.statuses(at: t0 + 29)[0].isUp)
        #expect(!registry.statuses(at: t0 + 31)[0].isUp)
        // A heartbeat without freq keeps the last announced one.
        registry.record(heartbeat(freq: nil), at: t0 + 40)
        #expect(registry.statuses(at: t0 + 69)[0].isUp)
    }

    /// Issue 9 (audit): a NaN `freq` passed the min/max clamp untouched, so the silence window
    /// was NaN and the worker read up for ever. The decoder drops NaN today; the table must not
    /// rely on it.
    @Test func aNaNFrequencyIsTheDefaultAndCountsAsClamped() {
        var registry = subscribed()
        registry.record(heartbeat(freq: .nan), at: t0)
        #expect(registry.frequencyClamped == 1)
        #expect(registry.statuses(at: t0 + 5)[0].isUp)
        #expect(!registry.statuses(at: t0 + 3600)[0].isUp)
    }

    @Test func offlineIsDownAtOnceAndOnlineRevives() {
        var registry = subscribed()
        registry.record(heartbeat(active: 1), at: t0)
        registry.record(.init(kind: .offline, hostname: "w1@vm", frequency: 2, active: 0, processed: 9), at: t0 + 1)
        let status = registry.statuses(at: t0 + 1)[0]
        #expect(!status.isUp)
        #expect(status.downSince == t0 + 1)
        #expect(status.processed == 9)
        registry.record(.init(kind: .online, hostname: "w1@vm", frequency: 2, active: 0, processed: 0), at: t0 + 30)
        #expect(
            registry.statuses(at: t0 + 30) == [
                .init(hostname: "w1@vm", isUp: true, active: 0, processed: 0, lastSeen: t0 + 30)
            ])
    }

    @Test func downWorkersAreDroppedAfterTheForgetTime() {
        var registry = subscribed(CeleryEventConfiguration(workerForgetAfter: 60))
        registry.record(heartbeat("a@h"), at: t0)
        registry.record(heartbeat("b@h"), at: t0)
        for t in stride(from: t0 + 2, through: t0 + 100, by: 2) { registry.record(heartbeat("b@h"), at: t) }
        // a@h down since t0+6; still listed (as down) until t0+66.
        #expect(registry.statuses(at: t0 + 66).map(\.hostname) == ["a@h", "b@h"])
        #expect(registry.statuses(at: t0 + 66.5).map(\.hostname) == ["b@h"])
        registry.prune(at: t0 + 67)
        #expect(registry.count == 1)
    }

    @Test func livenessIsUnknownDuringStartupAndWhileDisconnected() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        #expect(registry.liveHostnames(at: t0) == nil)  // never subscribed
        registry.subscriptionStarted(at: t0)
        registry.record(heartbeat(), at: t0 + 1)
        #expect(registry.liveHostnames(at: t0 + 5.9) == nil)  // within one liveness window (6 s)
        #expect(registry.liveHostnames(at: t0 + 6) == ["w1@vm"])
        registry.subscriptionLost(at: t0 + 6.5)
        #expect(registry.liveHostnames(at: t0 + 7) == nil)
        // Frozen while unsubscribed: silence proves nothing, so the worker stays up.
        #expect(registry.statuses(at: t0 + 600)[0].isUp)
        // After re-subscribing, only listening time counts as silence: 5.5 s before the loss, so
        // the window ends 0.5 s after the subscription is back (the gap is added, not a new window).
        registry.subscriptionStarted(at: t0 + 600)
        #expect(registry.statuses(at: t0 + 600.5)[0].isUp)
        #expect(!registry.statuses(at: t0 + 600.6)[0].isUp)
        // The live set waits one heartbeat period (2 s) for workers that started during the gap.
        #expect(registry.liveHostnames(at: t0 + 601.9) == nil)
        #expect(registry.liveHostnames(at: t0 + 602) == [])
    }

    @Test func aWorkerAlreadyDownStaysDownAcrossAReconnect() {
        var registry = subscribed()
        registry.record(heartbeat("dead@h"), at: t0)
        registry.record(heartbeat("live@h"), at: t0 + 9)
        registry.subscriptionLost(at: t0 + 10)  // dead@h has been down since t0+6
        registry.subscriptionStarted(at: t0 + 20)
        let states = registry.statuses(at: t0 + 21)
        #expect(states.map(\.isUp) == [false, true])
        #expect(states[0].downSince == t0 + 6)
        // live@h was heard at t0+9; 1 s of silence before the loss and 5 s after it make its
        // 6 s window: down at t0+25 (the 10 s gap counts for nothing).
        #expect(registry.statuses(at: t0 + 24.9).map(\.isUp) == [false, true])
        #expect(registry.statuses(at: t0 + 41).map(\.isUp) == [false, false])
        #expect(registry.statuses(at: t0 + 41)[1].downSince == t0 + 25)
        // A confirmation without a reported loss missed nothing and changes nothing.
        registry.subscriptionStarted(at: t0 + 40)
        #expect(registry.statuses(at: t0 + 41)[1].downSince == t0 + 25)
    }

    @Test func fullTableMakesTheLongestSilentWorkerGiveWay() {
        var registry = subscribed(CeleryEventConfiguration(maxWorkers: 2))
        registry.record(heartbeat("a@h"), at: t0)
        registry.record(heartbeat("b@h"), at: t0 + 3)
        // Both up: the newcomer still gets in; a@h (silent longest) gives way and is counted.
        let outcome = registry.record(heartbeat("c@h"), at: t0 + 4)
        #expect(outcome.evicted == "a@h")
        #expect(outcome.evictedWasUp)
        #expect(registry.evicted == 1)
        #expect(registry.statuses(at: t0 + 4).map(\.hostname) == ["b@h", "c@h"])
        // a@h was up until t0+6 and may still run tasks: the live set is not trusted before then
        // (orphan detection would otherwise call its tasks orphaned).
        #expect(registry.liveHostnames(at: t0 + 6) == nil)
        #expect(registry.liveHostnames(at: t0 + 6.5) == ["b@h", "c@h"])
        // A down worker gives way before an up one, even one silent longer.
        registry.record(heartbeat("b@h"), at: t0 + 5)
        registry.record(CeleryEvent.Worker(kind: .offline, hostname: "c@h"), at: t0 + 7)
        let second = registry.record(heartbeat("d@h"), at: t0 + 8)
        #expect(second.evicted == "c@h")
        #expect(!second.evictedWasUp)
        #expect(registry.liveHostnames(at: t0 + 8) == ["b@h", "d@h"])
        // Known workers are updated without evicting anyone.
        #expect(registry.record(heartbeat("b@h", active: 4), at: t0 + 9).evicted == nil)
    }

    @Test func forgedFrequenciesAreClamped() {
        var registry = subscribed()
        // freq 10^12 would keep a worker up for 3·10^12 s; clamped to 300 s it is down after 900 s.
        let outcome = registry.record(heartbeat("forged@x", freq: 1e12), at: t0)
        #expect(outcome.frequencyClamped)
        #expect(registry.statuses(at: t0 + 900)[0].isUp)
        #expect(!registry.statuses(at: t0 + 900.001)[0].isUp)
        // A tiny freq cannot make a worker flap down between Celery's 2 s heartbeats either.
        registry.record(heartbeat("w1@vm", freq: 1e-6), at: t0)
        #expect(registry.statuses(at: t0 + 2.9).first { $0.hostname == "w1@vm" }?.isUp == true)
        #expect(registry.frequencyClamped == 2)
        #expect(!registry.record(heartbeat("w2@vm", freq: 2), at: t0).frequencyClamped)
    }

    @Test func longHostNamesAreCappedAndStayDistinct() {
        var registry = subscribed()
        let stem = String(repeating: "h", count: 300)
        registry.record(heartbeat(stem + "@one"), at: t0)
        registry.record(heartbeat(stem + "@two"), at: t0)
        let names = registry.statuses(at: t0).map(\.hostname)
        #expect(names.count == 2)
        #expect(Set(names).count == 2)
        #expect(names.allSatisfy { $0.utf8.count <= LabelValueLimit.maxBytes })
        #expect(Set(names) == [LabelValueLimit.capped(stem + "@one"), LabelValueLimit.capped(stem + "@two")])
        // A later heartbeat of the same long name updates the same entry.
        registry.record(heartbeat(stem + "@one", active: 3), at: t0 + 1)
        #expect(registry.count == 2)
    }

    @Test func processedGoingBackwardsIsReportedAsIs() {
        var registry = subscribed()
        registry.record(heartbeat(processed: 100), at: t0)
        registry.record(heartbeat(processed: 3), at: t0 + 2)  // restarted worker: a counter reset
        #expect(registry.statuses(at: t0 + 2)[0].processed == 3)
    }
}
