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
    let redelivered: Bool?

    enum CodingKeys: String, CodingKey {
        case tag, score, queue, exchange, id, task, eta, redelivered
        case routingKey = "routing_key"
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

    /// Snapshot of `queues` plus the unacked structures.
    func read(_ queues: [String]) throws -> TruthSnapshot {
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("truth.py").path
        let r = try runCommand(environment.python, [script, String(port), keyPrefix, String(visibilityTimeout)] + queues,
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
        let r = try runCommand(environment.python, [script, String(port), keyPrefix] + ids,
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
    func waitFor(_ what: String, queues: [String], timeout: Double,
                 _ condition: (TruthSnapshot) throws -> Bool) throws -> TruthSnapshot {
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
                throw HarnessError("tasks never reached \(states.sorted()) within \(timeout) s: \(zip(ids, last).map { "\($0.prefix(8))=\($1 ?? "none")" })")
            }
            usleep(200_000)
            last = try statuses(ids)
        }
    }
}
