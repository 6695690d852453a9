import Foundation
import Testing
import TestSupport

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
    static func observe(_ exporter: ExporterUnderTest, _ truth: RedisTruth, queues: [String],
                        timeout: Double = 20) throws -> Observation {
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
        throw HarnessError("Redis never held still for one exporter poll within \(timeout) s; last change: \(lastChange)")
    }

    /// Observes (see ``observe``) and expects every per-queue number of the exporter to equal the
    /// truth: `up` 1, queue length, unacked, stranded, oldest unacked age (within one poll
    /// interval), and the unclassified count. Returns the observation for scenario-specific checks.
    @discardableResult
    static func expectAgreement(_ exporter: ExporterUnderTest, _ truth: RedisTruth, queues: [String],
                                timeout: Double = 20, _ context: String = "",
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> Observation {
        let obs = try observe(exporter, truth, queues: queues, timeout: timeout)
        let s = obs.scrape, t = obs.truth
        let where_ = context.isEmpty ? "" : "[\(context)] "
        #expect(s.up == 1, "\(where_)celery_redis_up is \(String(describing: s.up))", sourceLocation: sourceLocation)
        for q in queues {
            let qt = t.queue(q)
            let detail = "\(where_)queue \(q); truth: \(t.summary)"
            #expect(s.queueLength(q) == Double(qt.length), "queue_length: exporter \(s.queueLength(q).map { "\($0)" } ?? "absent"), Redis \(qt.length) \(qt.lists). \(detail)",
                    sourceLocation: sourceLocation)
            #expect(s.unacked(q) == Double(qt.unacked), "unacked_tasks: exporter \(s.unacked(q).map { "\($0)" } ?? "absent"), Redis \(qt.unacked). \(detail)",
                    sourceLocation: sourceLocation)
            #expect(s.stranded(q) == Double(qt.stranded), "unacked_stranded_tasks: exporter \(s.stranded(q).map { "\($0)" } ?? "absent"), Redis \(qt.stranded). \(detail)",
                    sourceLocation: sourceLocation)
            let age = s.oldestUnackedAge(q)
            if let score = qt.oldestScore {
                let atScrape = s.time - score
                let lower = (s.pollStart ?? s.time) - score - 0.1
                let upper = (s.pollEnd ?? s.time) - score + 0.1
                if let age {
                    #expect(age >= lower && age <= upper && atScrape - age <= exporter.pollInterval + 0.1 && age <= atScrape + 0.1,
                            "unacked_oldest_age_seconds \(age) not within one poll of the truth (\(String(format: "%.3f", atScrape)) s at scrape, poll window \(String(format: "%.3f", lower))…\(String(format: "%.3f", upper))). \(detail)",
                            sourceLocation: sourceLocation)
                } else {
                    Issue.record("unacked_oldest_age_seconds absent. \(detail)", sourceLocation: sourceLocation)
                }
            } else {
                #expect(age == 0, "unacked_oldest_age_seconds \(String(describing: age)) with nothing unacked. \(detail)",
                        sourceLocation: sourceLocation)
            }
        }
        #expect(s.unclassified == Double(t.unclassified),
                "\(where_)unacked_unclassified_tasks: exporter \(String(describing: s.unclassified)), Redis \(t.unclassified); truth: \(t.summary)",
                sourceLocation: sourceLocation)
        return obs
    }
}
