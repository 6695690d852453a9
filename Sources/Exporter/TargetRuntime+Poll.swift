import Celery
import Exposition
import Logging
import Redis
import Sockets

extension TargetRuntime {
    /// One poll of this target: read the event monitor once, sample Redis (orphans counted against
    /// that reading's live workers), keep the reading in the snapshot, count, and build the
    /// target's families from the snapshot. `rulesSeconds` is the previous rule evaluation's time,
    /// reported as `phase="rules"` (rules run on the composed families after the poll).
    /// One call at a time: the target's poll thread (``requestPoll(rulesSeconds:)``), or a test's.
    public func poll(rulesSeconds: Double) -> TargetPoll {
        // The event monitor is read once, inside: everything about workers and live results in
        // this poll's output comes from that one reading (Snapshot/events).
        var snapshot = sampler.poll(using: redisClient, now: wallClockNow(), events: eventListener?.monitor)
        let finished = wallClockNow()
        counters.lastPollTimestamp = finished
        switch snapshot.outcome {
        case .sampled(var state):
            state.phases[.rules] = rulesSeconds
            snapshot.outcome = .sampled(state)
            for (stage, count) in state.commandErrors {
                counters.commandErrorsByStage[stage, default: 0] += UInt64(count)
            }
            counters.lastSuccessTimestamp = finished
        case .failed(let failure):
            counters.errorsByStage[failure.stage, default: 0] += 1
        }
        let families = MetricsBuilder.families(for: snapshot, counters: counters)
        let connection = (eventListener?.subscriberFamilies() ?? []) + (resultBackendStatus?.families() ?? [])
        logTransition(snapshot)
        return TargetPoll(
            name: name, snapshot: snapshot, families: families, connectionFamilies: connection,
            sentinelFamilies: sentinelFamilies,
            lastSuccessAt: counters.lastSuccessTimestamp, finishedAt: finished,
            readiness: TargetReadiness(
                name: name, lastPollSucceeded: snapshot.succeeded, lastPollMonotonic: monotonicNow(),
                lastFailure: snapshot.failure?.reason))
    }

    /// Asks the target's poll thread for a poll (polls on the calling thread when it is not
    /// running); ``collectPoll()`` returns it. The poller asks every target, then collects.
    func requestPoll(rulesSeconds: Double) {
        if !pollThread.request(rulesSeconds: rulesSeconds) { pollThread.deliver(poll(rulesSeconds: rulesSeconds)) }
    }

    /// Waits for the poll ``requestPoll(rulesSeconds:)`` asked for.
    func collectPoll() -> TargetPoll { pollThread.collect() }

    /// The families of a target not polled yet (`up 0` and the exporter's counters at zero).
    public var initialFamilies: [MetricFamily] { MetricsBuilder.families(for: nil, counters: PollCounters()) }

    /// Logs changes of state (up → down, down → up) once, and each failure at debug level,
    /// so a Redis outage is one warning line per change rather than one per poll.
    private func logTransition(_ snapshot: Snapshot) {
        defer { lastOutcomeWasSuccess = snapshot.succeeded }
        switch snapshot.outcome {
        case .sampled(let state):
            if lastOutcomeWasSuccess != true {
                logger.info(
                    "polling Redis",
                    metadata: [
                        "queues": "\(state.queues.count)", "unacked": "\(state.unackedTotal)",
                        "duration_ms": "\(Int(snapshot.pollDuration * 1000))",
                    ])
            }
        case .failed(let failure):
            let metadata: Logger.Metadata = ["stage": "\(failure.stage.rawValue)", "err": "\(failure.reason)"]
            if lastOutcomeWasSuccess != false {
                logger.warning("poll of Redis failed; celery_redis_up is 0 until it recovers", metadata: metadata)
            } else {
                logger.debug("poll of Redis failed again", metadata: metadata)
            }
        }
    }
}
