import Testing

@testable import Celery

/// Liveness across Pub/Sub reconnects, with explicit times: only time spent listening counts as
/// a worker's silence, and the live set used by orphan detection is withheld only briefly after a
/// gap. Before, every resubscription restarted every silent worker's window and the start-up grace,
/// so a connection dropping every 4 s kept a dead worker up for ever (seen: 48 s and counting).
@Suite struct EventsReconnectTests {
    let t0 = 1_000.0

    func heartbeat(_ host: String, freq: Double = 2) -> CeleryEvent.Worker {
        CeleryEvent.Worker(kind: .heartbeat, hostname: host, frequency: freq, active: 1, processed: 0)
    }

    /// One heartbeat from `dead@x` (freq 2 → 6 s window), then the connection drops every 4 s and
    /// is back 50 ms later. The worker is down once it has been silent for 6 s of listening time.
    @Test func aFlappingSubscriptionCannotKeepADeadWorkerUp() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        registry.record(heartbeat("dead@x"), at: t0)
        var downSeen: Double?
        for flap in 1...12 {
            let lost = t0 + 4 * Double(flap)
            registry.subscriptionLost(at: lost)
            registry.subscriptionStarted(at: lost + 0.05)
            let state = registry.statuses(at: lost + 3.9)[0]
            if !state.isUp, downSeen == nil { downSeen = state.downSince }
        }
        // 6 s of listening plus the one 50 ms gap that fell inside the window (at t0+4).
        #expect(downSeen == t0 + 6.05)
        let final = registry.statuses(at: t0 + 52)[0]
        #expect(!final.isUp && final.active == 0 && final.downSince == t0 + 6.05)
        #expect(registry.liveHostnames(at: t0 + 52) == [])
    }

    /// A healthy worker whose heartbeats were missed during a long gap stays up: the gap is added
    /// to its window, and its next heartbeat after the reconnect keeps it up.
    @Test func aHealthyWorkerStaysUpAcrossALongGap() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        registry.record(heartbeat("w1@vm"), at: t0 + 4)
        registry.subscriptionLost(at: t0 + 5)
        registry.subscriptionStarted(at: t0 + 65)
        // Heard at t0+4: 1 s of listening before the loss, 60 s gap, window ends at t0+70.
        #expect(registry.statuses(at: t0 + 69.9)[0].isUp)
        registry.record(heartbeat("w1@vm"), at: t0 + 66)
        #expect(registry.statuses(at: t0 + 71.9)[0].isUp)
        #expect(!registry.statuses(at: t0 + 72.1)[0].isUp)
    }

    /// A worker already silent past its window when the subscription was lost stays down; one up
    /// at the loss gets exactly the gap, whatever its length.
    @Test func theGapIsAddedOnlyToWorkersUpAtTheLoss() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        registry.record(heartbeat("old@x"), at: t0)
        registry.record(heartbeat("new@x"), at: t0 + 5)
        registry.subscriptionLost(at: t0 + 7)  // old@x down since t0+6, new@x up until t0+11
        registry.subscriptionStarted(at: t0 + 107)
        let states = registry.statuses(at: t0 + 110.9)
        #expect(states.map(\.hostname) == ["new@x", "old@x"])
        #expect(states.map(\.isUp) == [true, false])
        #expect(states[1].downSince == t0 + 6)
        #expect(registry.statuses(at: t0 + 111.1)[0].downSince == t0 + 111)
    }

    /// After a gap the live set is withheld for one heartbeat period (a worker started during the
    /// gap is heard at its next heartbeat), not for a whole start-up grace: with drops every 4 s
    /// and a 6 s grace, orphan detection used to be suspended for ever.
    @Test func orphanDetectionIsSuspendedOnlyOnePeriodAfterEachGap() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        for flap in 1...10 {
            let beat = t0 + 4 * Double(flap) - 3
            registry.record(heartbeat("w1@vm"), at: beat)
            registry.record(heartbeat("w1@vm"), at: beat + 2)
            let lost = t0 + 4 * Double(flap)
            registry.subscriptionLost(at: lost)
            #expect(registry.liveHostnames(at: lost + 0.01) == nil)
            registry.subscriptionStarted(at: lost + 0.05)
            #expect(registry.liveHostnames(at: lost + 2.04) == nil)
            if flap >= 2 {  // the first start-up grace (6 s) ends at t0+6 plus the first gap
                #expect(registry.liveHostnames(at: lost + 2.05) == ["w1@vm"])
            }
        }
    }

    /// A loss during the start-up grace does not shorten it: only listening time counts.
    @Test func aLossDuringTheStartupGraceKeepsTheRestOfIt() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        registry.subscriptionLost(at: t0 + 2)
        registry.subscriptionStarted(at: t0 + 10)
        // 2 of the 6 s were listened to before the loss: 4 s are still due.
        #expect(registry.liveHostnames(at: t0 + 13.9) == nil)
        #expect(registry.liveHostnames(at: t0 + 14) == [])
    }

    /// The wait after a gap is the period of the slowest worker known (at most the start-up grace).
    @Test func theWaitAfterAGapFollowsTheSlowestKnownWorker() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration(startupGrace: 30))
        registry.subscriptionStarted(at: t0)
        registry.record(heartbeat("slow@x", freq: 10), at: t0 + 35)
        registry.subscriptionLost(at: t0 + 40)
        registry.subscriptionStarted(at: t0 + 41)
        #expect(registry.liveHostnames(at: t0 + 50.9) == nil)
        #expect(registry.liveHostnames(at: t0 + 51) == ["slow@x"])
    }
}
