import Foundation
import TestSupport

/// One `/metrics` response, parsed (text format 0.0.4), with the wall time it was taken.
struct Scrape: Sendable {
    /// Unix time the response arrived.
    let time: Double
    let text: String
    /// series name → [(labels, value)]
    let samples: [String: [([String: String], Double)]]

    init(text: String, time: Double) {
        self.text = text
        self.time = time
        var samples: [String: [([String: String], Double)]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            let series = line[..<space]
            var name = Substring(series)
            var labels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = series[..<brace]
                var rest = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                // name="value" pairs; values may contain escaped quotes, commas and backslashes.
                while let eq = rest.firstIndex(of: "=") {
                    let key = String(rest[..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                    var i = rest.index(eq, offsetBy: 2)
                    var value = ""
                    while i < rest.endIndex, rest[i] != "\"" {
                        if rest[i] == "\\", rest.index(after: i) < rest.endIndex {
                            i = rest.index(after: i)
                            value.append(rest[i] == "n" ? "\n" : rest[i])
                        } else {
                            value.append(rest[i])
                        }
                        i = rest.index(after: i)
                    }
                    labels[key] = value
                    rest = i < rest.endIndex ? rest[rest.index(after: i)...] : ""
                }
            }
            samples[String(name), default: []].append((labels, value))
        }
        self.samples = samples
    }

    /// The value of the series with exactly `labels`, nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples[name]?.first { $0.0 == labels }?.1
    }

    /// Label values of `label` over all series of `name`.
    func labelValues(_ name: String, _ label: String) -> Set<String> {
        Set(samples[name]?.compactMap { $0.0[label] } ?? [])
    }

    var up: Double? { value("celery_redis_up") }
    /// When the poll these values come from started: last poll end minus its duration.
    var pollStart: Double? {
        guard let end = value("celery_redis_last_poll_timestamp_seconds"),
            let duration = value("celery_redis_poll_duration_seconds")
        else { return nil }
        return end - duration
    }
    var pollEnd: Double? { value("celery_redis_last_poll_timestamp_seconds") }

    func queueLength(_ queue: String) -> Double? { value("celery_redis_queue_length", ["queue": queue]) }
    func unacked(_ queue: String) -> Double? { value("celery_redis_unacked_tasks", ["queue": queue]) }
    func stranded(_ queue: String) -> Double? { value("celery_redis_unacked_stranded_tasks", ["queue": queue]) }
    func oldestUnackedAge(_ queue: String) -> Double? {
        value("celery_redis_unacked_oldest_age_seconds", ["queue": queue])
    }
    var unclassified: Double? { value("celery_redis_unacked_unclassified_tasks") }

    // Issue 3 families.
    func scheduled(_ queue: String) -> Double? { value("celery_redis_scheduled_tasks", ["queue": queue]) }
    func etaBeyondVisibility(_ queue: String) -> Double? {
        value("celery_redis_eta_beyond_visibility_tasks", ["queue": queue])
    }
    func oldestMessageAge(_ queue: String) -> Double? {
        value("celery_redis_queue_oldest_message_age_seconds", ["queue": queue])
    }
    func redeliveredTails(_ queue: String) -> Double? {
        value("celery_redis_queue_redelivered_tail_messages", ["queue": queue])
    }
    /// `celery_redis_task_results_total{state[,task]}`.
    func results(_ state: String, task: String? = nil) -> Double? {
        value("celery_redis_task_results_total", task.map { ["state": state, "task": $0] } ?? ["state": state])
    }
    /// Every `celery_redis_task_results_total` series as "state task" → value (task "" when absent).
    var allResults: [String: Double] {
        var out: [String: Double] = [:]
        for (labels, v) in samples["celery_redis_task_results_total"] ?? [] {
            out["\(labels["state"] ?? "?") \(labels["task"] ?? "")".trimmingCharacters(in: .whitespaces)] = v
        }
        return out
    }
    func workerUp(_ worker: String) -> Double? { value("celery_redis_worker_up", ["worker": worker]) }
    func workerActive(_ worker: String) -> Double? { value("celery_redis_worker_tasks_active", ["worker": worker]) }
    func workerProcessed(_ worker: String) -> Double? {
        value("celery_redis_worker_processed_tasks_total", ["worker": worker])
    }
    /// The full host name (`w1@host`) of the worker started as `name`.
    func workerHostname(_ name: String) -> String? {
        labelValues("celery_redis_worker_up", "worker").first { $0.hasPrefix("\(name)@") }
    }
    var workers: Double? { value("celery_redis_workers") }
    var subscriberUp: Double? { value("celery_redis_event_subscriber_up") }
    var orphanedStarted: Double? { value("celery_redis_orphaned_started_tasks") }
    var workerLostTotal: Double? { value("celery_redis_worker_lost_tasks_total") }
    func metaKeys(_ state: String) -> Double? { value("celery_redis_task_meta_keys", ["state": state]) }
    /// The time as of which the census counts include every change: the exporter's
    /// `celery_redis_census_updated_timestamp_seconds` when it has one (counts kept current by live
    /// result writes between reconciliation passes), else the start of the last complete pass.
    var censusCurrentAsOf: Double? {
        value("celery_redis_census_updated_timestamp_seconds") ?? censusPassStart
    }
    /// Start of the census pass whose counts are shown: last completion minus pass duration.
    var censusPassStart: Double? {
        guard let end = value("celery_redis_census_last_complete_timestamp_seconds"),
            let duration = value("celery_redis_census_duration_seconds")
        else { return nil }
        return end - duration
    }
}

/// The built exporter binary run against the scenario's Redis with a short poll interval.
final class ExporterUnderTest: @unchecked Sendable {
    // @unchecked: owned by one test.
    let process: ExporterProcess
    let pollInterval: Double
    let visibilityTimeout: Double

    /// - Parameters:
    ///   - queues: `--celery.queues` (nil: rely on discovery from `_kombu.binding.*`; note that
    ///     discovery runs at start and then once a minute, so queues bound later need this flag).
    init(
        redisPort: UInt16, keyPrefix: String = "", visibilityTimeout: Double = 3600, pollInterval: Double = 0.5,
        queues: [String]? = nil, extraArguments: [String] = []
    ) throws {
        self.pollInterval = pollInterval
        self.visibilityTimeout = visibilityTimeout
        var args = [
            "--redis.url=redis://127.0.0.1:\(redisPort)/0", "--poll.interval=\(pollInterval)s",
            "--celery.visibility-timeout=\(Int(visibilityTimeout))s", "--log.level=debug",
        ]
        if !keyPrefix.isEmpty { args.append("--celery.key-prefix=\(keyPrefix)") }
        if let queues { args.append("--celery.queues=\(queues.joined(separator: ","))") }
        trace("exporter: starting \(args + extraArguments)")
        process = try ExporterProcess(arguments: args + extraArguments)
        trace("exporter: started on port \(process.port)")
        let ready = waitUntil(timeout: 10) { (try? process.get("/-/ready"))?.status == 200 }
        if !ready { throw HarnessError("exporter never became ready; stderr:\n\(process.stderr.suffix(3000))") }
    }

    /// GET /metrics, parsed.
    func scrape() throws -> Scrape {
        let response = try process.get("/metrics")
        guard response.status == 200 else { throw HarnessError("/metrics answered \(response.status)") }
        return Scrape(text: response.text, time: Date().timeIntervalSince1970)
    }

    /// The first scrape whose poll started after `time` (waits up to a few poll intervals).
    func scrape(polledAfter time: Double) throws -> Scrape {
        let deadline = Date().addingTimeInterval(pollInterval * 6 + 3)
        while true {
            let s = try scrape()
            if let start = s.pollStart, start > time { return s }
            guard Date() < deadline else {
                throw HarnessError(
                    "the exporter did not poll after \(time) (last poll started \(s.pollStart ?? -1)); stderr:\n\(process.stderr.suffix(2000))"
                )
            }
            usleep(40_000)
        }
    }

    /// Waits until the Pub/Sub subscription is up: Pub/Sub has no replay, so a scenario that
    /// counts result writes or worker events must call this before producing anything.
    func waitForSubscriber(timeout: Double = 10) throws {
        let up = waitUntil(timeout: timeout) { (try? scrape())?.subscriberUp == 1 }
        if !up {
            throw HarnessError("celery_redis_event_subscriber_up never read 1; stderr:\n\(process.stderr.suffix(2000))")
        }
    }

    /// Scrapes until `condition` holds (returns that scrape) or `timeout` passes (returns nil).
    func scrape(until timeout: Double, _ condition: (Scrape) -> Bool) -> Scrape? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let s = try? scrape(), condition(s) { return s }
            usleep(100_000)
        } while Date() < deadline
        return nil
    }

    /// Stops the exporter (SIGTERM, then SIGKILL); returns its exit status.
    @discardableResult
    func terminate() -> Int32? { process.terminate() }
}
