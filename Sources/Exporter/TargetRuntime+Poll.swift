import Celery
import Exposition
import Logging
import Redis
import Sockets

extension TargetRuntime {
    /// One poll of this target: sample Redis (with the event monitor's live workers), count, and
    /// build the target's families. `rulesSeconds` is the previous rule evaluation's time, reported
    /// as `phase="rules"` (rules run on the composed families after the poll).
    /// Poller thread only, one call at a time.
    public func poll(rulesSeconds: Double) -> TargetPoll {
        let events = eventListener?.monitor
        let now = wallClockNow()
        var snapshot = sampler.poll(using: redisClient, now: now, liveWorkers: events?.liveWorkerHostnames(),
                                    incarnationStarts: events?.liveIncarnationStarts(wallNow: now) ?? [:])
        let finished = wallClockNow()
        snapshot.phases[.rules] = rulesSeconds
        counters.lastPollTimestamp = finished
        for (stage, count) in snapshot.commandErrors {
            counters.commandErrorsByStage[stage, default: 0] += UInt64(count)
        }
        if snapshot.succeeded {
            counters.lastSuccessTimestamp = finished
        } else {
            let stage = snapshot.failedStage ?? .queues
            counters.errorsByStage[stage, default: 0] += 1
        }
        var families = MetricsBuilder.families(for: snapshot, counters: counters)
        if let events { families += events.metricFamilies() }
        let connection = (eventListener?.subscriberFamilies() ?? []) + (resultBackendStatus?.families() ?? [])
        logTransition(snapshot)
        return TargetPoll(
            name: name, snapshot: snapshot, families: families, connectionFamilies: connection,
            sentinelFamilies: sentinelFamilies,
            workers: events?.workerStatuses(at: monotonicNow()), lastSuccessAt: counters.lastSuccessTimestamp,
            finishedAt: finished,
            readiness: TargetReadiness(name: name, lastPollSucceeded: snapshot.succeeded, lastPollMonotonic: monotonicNow(),
                                       lastFailure: snapshot.failureDescription))
    }

    /// The families of a target not polled yet (`up 0` and the exporter's counters at zero).
    public var initialFamilies: [MetricFamily] { MetricsBuilder.families(for: nil, counters: PollCounters()) }

    /// Logs changes of state (up → down, down → up) once, and each failure at debug level,
    /// so a Redis outage is one warning line per change rather than one per poll.
    private func logTransition(_ snapshot: Snapshot) {
        defer { lastOutcomeWasSuccess = snapshot.succeeded }
        if snapshot.succeeded {
            if lastOutcomeWasSuccess != true {
                logger.info("polling Redis", metadata: [
                    "queues": "\(snapshot.queues.count)", "unacked": "\(snapshot.unackedTotal)",
                    "duration_ms": "\(Int(snapshot.pollDuration * 1000))",
                ])
            }
        } else {
            let metadata: Logger.Metadata = [
                "stage": "\(snapshot.failedStage?.rawValue ?? "unknown")",
                "err": "\(snapshot.failureDescription ?? "unknown error")",
            ]
            if lastOutcomeWasSuccess != false {
                logger.warning("poll of Redis failed; celery_redis_up is 0 until it recovers", metadata: metadata)
            } else {
                logger.debug("poll of Redis failed again", metadata: metadata)
            }
        }
    }
}
