import Foundation
import TestSupport

/// What Redis holds for one queue, read by `celeryapp/truth.py`.
struct QueueTruth: Decodable, Equatable, Sendable {
    /// Sum of `LLEN` over the queue's ten priority lists.
    let length: Int
    /// Non-empty priority lists: key (with `\x06\x16` written out) → `LLEN`.
    let lists: [String: Int]
    /// `unacked_index` members whose `unacked` value routes to this queue.
    let unacked: Int
    /// Smallest `unacked_index` score (fetch time) among them.
    let oldestScore: Double?
    /// Those fetched longer ago than the visibility timeout, at the snapshot's Redis time.
    let stranded: Int

    enum CodingKeys: String, CodingKey {
        case length, lists, unacked, stranded
        case oldestScore = "oldest_score"
    }
}

/// One `unacked_index` member with what its `unacked` value says.
struct UnackedEntryTruth: Decodable, Equatable, Sendable {
    let tag: String
    let score: Double
    /// The queue the message came from (resolved through the exchange's binding table).
    let queue: String?
    /// The routing key stored in the `unacked` value (usually the queue name, not always).
    let routingKey: String?
    let exchange: String?
    let id: String?
    let task: String?
    let eta: String?
    /// `eta` as epoch seconds.
    let etaEpoch: Double?
    let redelivered: Bool?

    enum CodingKeys: String, CodingKey {
        case tag, score, queue, exchange, id, task, eta, redelivered
        case routingKey = "routing_key"
        case etaEpoch = "eta_epoch"
    }
}

/// A consistent snapshot (one MULTI/EXEC) of the broker keys the exporter reads.
struct TruthSnapshot: Decodable, Sendable {
    /// Redis `TIME` at the snapshot, epoch seconds.
    let time: Double
    let queues: [String: QueueTruth]
    let zcard: Int
    let hlen: Int
    /// Indexed tags with no hash value, an undecodable value, or a queue not asked for.
    let unclassified: Int
    let entries: [UnackedEntryTruth]

    /// The truth for `queue` (asked for when the snapshot was read).
    func queue(_ name: String) -> QueueTruth {
        queues[name] ?? QueueTruth(length: -1, lists: [:], unacked: -1, oldestScore: nil, stranded: -1)
    }

    /// Same keys and values (time aside): nothing moved between the two reads.
    func sameState(as other: TruthSnapshot) -> Bool {
        queues == other.queues && zcard == other.zcard && hlen == other.hlen && unclassified == other.unclassified
            && entries == other.entries
    }

    /// Entries of `queue` whose ETA is after `time` (held by a worker until due), and whether
    /// that number is ambiguous because an ETA falls within `margin` s of `time`.
    func scheduled(_ queue: String, at time: Double, margin: Double) -> (count: Int, ambiguous: Bool) {
        let etas = entries.filter { $0.queue == queue }.compactMap(\.etaEpoch)
        return (etas.filter { $0 > time }.count, etas.contains { abs($0 - time) <= margin })
    }

    /// Entries of `queue` whose ETA is more than `visibilityTimeout` after their fetch (score).
    func etaBeyondVisibility(_ queue: String, visibilityTimeout: Double) -> Int {
        entries.filter { e in e.queue == queue && (e.etaEpoch.map { $0 - e.score } ?? -1) > visibilityTimeout }.count
    }

    /// Task ids currently in `unacked`.
    var unackedTaskIDs: Set<String> { Set(entries.compactMap(\.id)) }

    /// Short human summary for failure messages.
    var summary: String {
        let perQueue = queues.keys.sorted().map { name -> String in
            let q = queues[name]!
            return "\(name): length \(q.length) \(q.lists) unacked \(q.unacked) stranded \(q.stranded)"
                + (q.oldestScore.map { " oldest age \(String(format: "%.2f", time - $0))" } ?? "")
        }
        return perQueue.joined(separator: "; ") + "; ZCARD \(zcard) HLEN \(hlen) unclassified \(unclassified)"
    }
}

/// A result-backend value (`celery-task-meta-<id>`), the fields scenarios look at.
struct ResultMeta: Decodable, Sendable {
    let status: String
    let name: String?
    let retries: Int?
}

/// Reads ground truth straight from Redis with redis-py from the venv (`truth.py`, `results.py`),
/// independently of the code under test: one MULTI/EXEC per snapshot, so every number in it is
/// from the same instant.
struct RedisTruth: Sendable {
    let environment: CeleryEnvironment
    let port: UInt16
    /// kombu `global_keyprefix`.
    let keyPrefix: String
    /// Seconds after which an unacked entry counts as stranded (the exporter's
    /// `--celery.visibility-timeout`).
    let visibilityTimeout: Double
    /// Where the result metas live as `PORT[/DB]` for `results.py`/`metas.py` (nil: the broker's
    /// port, database 0).
    var resultBackend: String? = nil

    /// `PORT[/DB]` of the result backend.
    var resultTarget: String { resultBackend ?? String(port) }

    /// Snapshot of `queues` plus the unacked structures.
    func read(_ queues: [String]) throws -> TruthSnapshot {
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("truth.py").path
        let r = try runCommand(
            environment.python, [script, String(port), keyPrefix, String(visibilityTimeout)] + queues,
            environment: CeleryConfig.baseEnvironment())
        trace("truth: read \(queues)")
        guard r.status == 0 else { throw HarnessError("truth.py failed: \(r.stderr.suffix(2000))") }
        do {
            return try JSONDecoder().decode(TruthSnapshot.self, from: Data(r.stdout.utf8))
        } catch {
            throw HarnessError("truth.py printed unreadable JSON (\(error)): \(r.stdout.prefix(500))")
        }
    }

    /// `celery-task-meta-<id>` for each id (nil: no result key).
    func results(_ ids: [String]) throws -> [String: ResultMeta?] {
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("results.py").path
        let r = try runCommand(
            environment.python, [script, resultTarget, keyPrefix] + ids,
            environment: CeleryConfig.baseEnvironment())
        guard r.status == 0 else { throw HarnessError("results.py failed: \(r.stderr.suffix(2000))") }
        return try JSONDecoder().decode([String: ResultMeta?].self, from: Data(r.stdout.utf8))
    }

    /// Status of each id (nil: no result key).
    func statuses(_ ids: [String]) throws -> [String?] {
        let metas = try results(ids)
        return ids.map { metas[$0].flatMap { $0?.status } }
    }

    /// Polls a snapshot until `condition` holds; throws with the last snapshot when it never does.
    @discardableResult
    func waitFor(
        _ what: String, queues: [String], timeout: Double,
        _ condition: (TruthSnapshot) throws -> Bool
    ) throws -> TruthSnapshot {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try read(queues)
        while try !condition(last) {
            guard Date() < deadline else {
                throw HarnessError("Redis never reached '\(what)' within \(timeout) s; last: \(last.summary)")
            }
            usleep(150_000)
            last = try read(queues)
        }
        return last
    }

    /// Polls until every id has one of `states` as its result status.
    func waitForStatuses(_ ids: [String], in states: Set<String>, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try statuses(ids)
        while !last.allSatisfy({ $0.map(states.contains) ?? false }) {
            guard Date() < deadline else {
                throw HarnessError(
                    "tasks never reached \(states.sorted()) within \(timeout) s: \(zip(ids, last).map { "\($0.prefix(8))=\($1 ?? "none")" })"
                )
            }
            usleep(200_000)
            last = try statuses(ids)
        }
    }
}

/// The next-in-line message of one priority list (`tails.py`).
struct TailTruth: Decodable, Sendable {
    let list: String
    let tag: String?
    let id: String?
    /// `headers.sent_at` (the `before_task_publish` hook of `CIT_SENT_AT`).
    let sentAt: Double?
    /// Publish time the message carries: `sent_at`, else `expires − expiration/1000`.
    let published: Double?
    let eta: Double?
    let redelivered: Bool

    enum CodingKeys: String, CodingKey {
        case list, tag, id, published, eta, redelivered
        case sentAt = "sent_at"
    }
}

/// `LINDEX <list> -1` of every priority list of some queues, in one MULTI/EXEC.
struct TailsSnapshot: Decodable, Sendable {
    let time: Double
    let queues: [String: [TailTruth]]

    /// The oldest publish time carried by a due tail of `queue` (future-ETA tails skipped).
    func oldestPublished(_ queue: String) -> Double? {
        (queues[queue] ?? []).filter { ($0.eta ?? 0) <= time }.compactMap(\.published).min()
    }

    func redeliveredTails(_ queue: String) -> Int { (queues[queue] ?? []).filter(\.redelivered).count }
}

/// Every `celery-task-meta-*` key counted by status (`metas.py`), one MULTI/EXEC.
struct MetasTruth: Decodable, Sendable, Equatable {
    let time: Double
    let keys: Int
    let byStatus: [String: Int]
    let workerLost: Int
    let startedByHost: [String: Int]
    /// Max over STARTED metas of `result_expires − PTTL`.
    let startedOldestAge: Double?

    enum CodingKeys: String, CodingKey {
        case time, keys
        case byStatus = "by_status"
        case workerLost = "worker_lost"
        case startedByHost = "started_by_host"
        case startedOldestAge = "started_oldest_age"
    }

    /// Same keys and statuses (time and TTL-based ages aside).
    func sameState(as other: MetasTruth) -> Bool {
        keys == other.keys && byStatus == other.byStatus && workerLost == other.workerLost
            && startedByHost == other.startedByHost
    }

    var summary: String { "\(keys) metas \(byStatus) worker-lost \(workerLost) STARTED by host \(startedByHost)" }
}

extension RedisTruth {
    /// Tails of every priority list of `queues`.
    func tails(_ queues: [String]) throws -> TailsSnapshot {
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("tails.py").path
        let r = try runCommand(
            environment.python, [script, String(port), keyPrefix] + queues,
            environment: CeleryConfig.baseEnvironment())
        guard r.status == 0 else { throw HarnessError("tails.py failed: \(r.stderr.suffix(2000))") }
        return try JSONDecoder().decode(TailsSnapshot.self, from: Data(r.stdout.utf8))
    }

    /// Census of the result backend (`metas.py`); `resultExpires` is Celery's `result_expires`.
    func metas(resultExpires: Double = 86400) throws -> MetasTruth {
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("metas.py").path
        let r = try runCommand(
            environment.python, [script, resultTarget, keyPrefix, String(resultExpires)],
            environment: CeleryConfig.baseEnvironment())
        guard r.status == 0 else { throw HarnessError("metas.py failed: \(r.stderr.suffix(2000))") }
        return try JSONDecoder().decode(MetasTruth.self, from: Data(r.stdout.utf8))
    }
}
