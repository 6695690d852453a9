import Foundation
import TestSupport
import Testing

/// One exporter poll bracketed by two identical Redis snapshots: the exporter saw exactly
/// `truth`, so every number must match it.
struct Observation: Sendable {
    let truth: TruthSnapshot
    let scrape: Scrape
    /// Truth read again after the scrape (same state as `truth`).
    let after: TruthSnapshot
}

/// Compares exporter numbers with ground truth "at the same moment".
///
/// Method: read a truth snapshot (Redis `TIME` t₀), wait for an exporter poll that *started* after
/// t₀, scrape it, read truth again. If both snapshots hold the same state, Redis did not change
/// while the exporter polled, and any difference is an exporter bug (not a race). If Redis moved,
/// try again until `timeout`. Ages cannot hold still: they are checked against the poll's own
/// start/end and must be within one poll interval of the age at scrape time.
enum Agreement {
    /// Waits for a quiet moment (see type doc); throws when Redis never held still for one poll.
    static func observe(
        _ exporter: ExporterUnderTest, _ truth: RedisTruth, queues: [String],
        timeout: Double = 20
    ) throws -> Observation {
        let deadline = Date().addingTimeInterval(timeout)
        var lastChange = ""
        repeat {
            let before = try truth.read(queues)
            let scrape = try exporter.scrape(polledAfter: before.time)
            let after = try truth.read(queues)
            if before.sameState(as: after) { return Observation(truth: before, scrape: scrape, after: after) }
            lastChange = "\(before.summary)  →  \(after.summary)"
            usleep(100_000)
        } while Date() < deadline
        throw HarnessError(
            "Redis never held still for one exporter poll within \(timeout) s; last change: \(lastChange)")
    }

    /// Observes (see ``observe``) and expects every per-queue number of the exporter to equal the
    /// truth: `up` 1, queue length, unacked, stranded, oldest unacked age (within one poll
    /// interval), and the unclassified count. Returns the observation for scenario-specific checks.
    @discardableResult
    static func expectAgreement(
        _ exporter: ExporterUnderTest, _ truth: RedisTruth, queues: [String],
        timeout: Double = 20, _ context: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Observation {
        let obs = try observe(exporter, truth, queues: queues, timeout: timeout)
        let s = obs.scrape
        let t = obs.truth
        let place = context.isEmpty ? "" : "[\(context)] "
        #expect(s.up == 1, "\(place)celery_redis_up is \(String(describing: s.up))", sourceLocation: sourceLocation)
        for q in queues {
            let qt = t.queue(q)
            let detail = "\(place)queue \(q); truth: \(t.summary)"
            #expect(
                s.queueLength(q) == Double(qt.length),
                "queue_length: exporter \(s.queueLength(q).map { "\($0)" } ?? "absent"), Redis \(qt.length) \(qt.lists). \(detail)",
                sourceLocation: sourceLocation)
            #expect(
                s.unacked(q) == Double(qt.unacked),
                "unacked_tasks: exporter \(s.unacked(q).map { "\($0)" } ?? "absent"), Redis \(qt.unacked). \(detail)",
                sourceLocation: sourceLocation)
            #expect(
                s.stranded(q) == Double(qt.stranded),
                "unacked_stranded_tasks: exporter \(s.stranded(q).map { "\($0)" } ?? "absent"), Redis \(qt.stranded). \(detail)",
                sourceLocation: sourceLocation)
            let age = s.oldestUnackedAge(q)
            if let score = qt.oldestScore {
                let atScrape = s.time - score
                let lower = (s.pollStart ?? s.time) - score - 0.1
                let upper = (s.pollEnd ?? s.time) - score + 0.1
                if let age {
                    #expect(
                        age >= lower && age <= upper && atScrape - age <= exporter.pollInterval + 0.1
                            && age <= atScrape + 0.1,
                        "unacked_oldest_age_seconds \(age) not within one poll of the truth (\(String(format: "%.3f", atScrape)) s at scrape, poll window \(String(format: "%.3f", lower))…\(String(format: "%.3f", upper))). \(detail)",
                        sourceLocation: sourceLocation)
                } else {
                    Issue.record("unacked_oldest_age_seconds absent. \(detail)", sourceLocation: sourceLocation)
                }
            } else {
                #expect(
                    age == 0, "unacked_oldest_age_seconds \(String(describing: age)) with nothing unacked. \(detail)",
                    sourceLocation: sourceLocation)
            }
        }
        for q in queues {
            // Issue 3 split of the unacked entries. scheduled depends on the clock: skipped when an
            // ETA falls between the two truth reads (the exporter's poll time lies in between).
            let detail =
                "\(place)queue \(q); truth entries: \(t.entries.map { "\($0.id?.prefix(8) ?? "?") eta \($0.etaEpoch.map { String(format: "%.2f", $0 - t.time) } ?? "none") fetched \(String(format: "%.2f", t.time - $0.score)) s ago" })"
            let scheduled = t.scheduled(q, at: t.time, margin: 0)
            let ambiguous = t.entries.contains { e in
                e.queue == q && (e.etaEpoch.map { $0 >= t.time - 0.2 && $0 <= obs.after.time + 0.2 } ?? false)
            }
            if !ambiguous {
                #expect(
                    s.scheduled(q) == Double(scheduled.count),
                    "scheduled_tasks: exporter \(s.scheduled(q).map { "\($0)" } ?? "absent"), Redis \(scheduled.count). \(detail)",
                    sourceLocation: sourceLocation)
            }
            let beyond = t.etaBeyondVisibility(q, visibilityTimeout: exporter.visibilityTimeout)
            #expect(
                s.etaBeyondVisibility(q) == Double(beyond),
                "eta_beyond_visibility_tasks: exporter \(s.etaBeyondVisibility(q).map { "\($0)" } ?? "absent"), Redis \(beyond). \(detail)",
                sourceLocation: sourceLocation)
        }
        #expect(
            s.unclassified == Double(t.unclassified),
            "\(place)unacked_unclassified_tasks: exporter \(String(describing: s.unclassified)), Redis \(t.unclassified); truth: \(t.summary)",
            sourceLocation: sourceLocation)
        return obs
    }

    // MARK: - Result-backend census

    /// Census counts bracketed by two identical `metas.py` reads: the counts are current as of a
    /// time after the first read (``Scrape/censusCurrentAsOf``: the exporter's census-updated
    /// timestamp, else the start of its last complete pass), the scrape came before the second
    /// read, and no meta changed status in between.
    static func observeCensus(
        _ exporter: ExporterUnderTest, _ truth: RedisTruth, resultExpires: Double = 86400,
        timeout: Double = 20
    ) throws -> (before: MetasTruth, scrape: Scrape, after: MetasTruth) {
        let deadline = Date().addingTimeInterval(timeout)
        var lastChange = ""
        repeat {
            let before = try truth.metas(resultExpires: resultExpires)
            guard
                let scrape = exporter.scrape(
                    until: exporter.pollInterval * 6 + 3, { ($0.censusCurrentAsOf ?? 0) > before.time })
            else {
                let last = try? exporter.scrape()
                throw HarnessError(
                    "census counts never current as of \(before.time) (updated \(String(describing: last?.value("celery_redis_census_updated_timestamp_seconds"))), last pass start \(String(describing: last?.censusPassStart))); stderr:\n\(exporter.process.stderr.suffix(1500))"
                )
            }
            let after = try truth.metas(resultExpires: resultExpires)
            if before.sameState(as: after) { return (before, scrape, after) }
            lastChange = "\(before.summary)  →  \(after.summary)"
            usleep(100_000)
        } while Date() < deadline
        throw HarnessError(
            "result metas never held still for one census pass within \(timeout) s; last change: \(lastChange)")
    }

    /// Observes (see ``observeCensus``) and expects `celery_redis_task_meta_keys{state}` to equal
    /// the metas counted by status in Redis, `task_meta_worker_lost_keys` the WorkerLostError
    /// failures, and `started_task_oldest_age_seconds` the oldest STARTED meta's age from its TTL
    /// (within one poll interval).
    @discardableResult
    static func expectCensusAgreement(
        _ exporter: ExporterUnderTest, _ truth: RedisTruth, resultExpires: Double = 86400,
        _ context: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (before: MetasTruth, scrape: Scrape, after: MetasTruth) {
        let obs = try observeCensus(exporter, truth, resultExpires: resultExpires)
        let s = obs.scrape
        let t = obs.before
        let place = context.isEmpty ? "" : "[\(context)] "
        for state in ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"] {
            #expect(
                s.metaKeys(state) == Double(t.byStatus[state] ?? 0),
                "\(place)task_meta_keys{state=\(state)}: exporter \(s.metaKeys(state).map { "\($0)" } ?? "absent"), Redis \(t.byStatus[state] ?? 0); truth: \(t.summary)",
                sourceLocation: sourceLocation)
        }
        let known: Set<String> = ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"]
        #expect(
            s.metaKeys("other") == Double(t.byStatus.filter { !known.contains($0.key) }.values.reduce(0, +)),
            "\(place)task_meta_keys{state=other}; truth: \(t.summary)", sourceLocation: sourceLocation)
        #expect(
            s.value("celery_redis_task_meta_worker_lost_keys") == Double(t.workerLost),
            "\(place)task_meta_worker_lost_keys: exporter \(String(describing: s.value("celery_redis_task_meta_worker_lost_keys"))), Redis \(t.workerLost)",
            sourceLocation: sourceLocation)
        let age = s.value("celery_redis_started_task_oldest_age_seconds")
        if let low = obs.before.startedOldestAge, let high = obs.after.startedOldestAge {
            #expect(
                age.map { $0 >= low - 0.2 - exporter.pollInterval && $0 <= high + 0.2 } ?? false,
                "\(place)started_task_oldest_age_seconds \(String(describing: age)) not within one poll of the TTL-based truth \(String(format: "%.2f", low))…\(String(format: "%.2f", high))",
                sourceLocation: sourceLocation)
        } else {
            #expect(
                age == 0, "\(place)started_task_oldest_age_seconds \(String(describing: age)) with no STARTED meta",
                sourceLocation: sourceLocation)
        }
        return obs
    }
}
