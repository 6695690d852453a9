import Foundation
import TestSupport

/// Writes Celery-shaped keys into a real Redis the way kombu 5.x lays them out
/// (checked against real Celery by Tests/CeleryIntegrationTests), independently of the code under test.
enum CelerySeed {
    static let separator: [UInt8] = [0x06, 0x16]

    /// A kombu message as a producer stores it in a queue list.
    static func message(
        id: String, task: String = "app.add", queue: String, tag: String,
        eta: String? = nil, priority: Int = 0
    ) -> [UInt8] {
        let etaJSON = eta.map { "\"\($0)\"" } ?? "null"
        let json = """
            {"body": "W1sxLCAxXSwge30sIHt9XQ==", "content-encoding": "utf-8", "content-type": "application/json", \
            "headers": {"lang": "py", "task": "\(task)", "id": "\(id)", "shadow": null, "eta": \(etaJSON), "expires": null, \
            "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "\(id)", \
            "parent_id": null, "argsrepr": "[1, 1]", "kwargsrepr": "{}", "origin": "gen1@test", "ignore_result": false}, \
            "properties": {"correlation_id": "\(id)", "reply_to": "r", "delivery_mode": 2, \
            "delivery_info": {"exchange": "", "routing_key": "\(queue)"}, "priority": \(priority), \
            "body_encoding": "base64", "delivery_tag": "\(tag)"}}
            """
        return Array(json.utf8)
    }

    /// The key of priority step `step` of `queue` (step 0 is the bare name).
    static func listKey(_ queue: String, step: Int, prefix: String = "") -> [UInt8] {
        step == 0 ? Array((prefix + queue).utf8) : Array((prefix + queue).utf8) + separator + Array(String(step).utf8)
    }

    /// A real `redis-server` whose `celery` queue is bound (as a worker binds it) and holds
    /// `tasks` messages: the backlog the end-to-end alerting tests fire on.
    static func backloggedRedis(tasks: Int) throws -> RedisServer {
        let redis = try RedisServer()
        try bind(redis, queue: "celery")
        try enqueue(redis, queue: "celery", count: tasks)
        return redis
    }

    /// Pushes `count` messages on `queue`'s priority list `step`.
    static func enqueue(_ redis: RedisServer, queue: String, step: Int = 0, count: Int, prefix: String = "") throws {
        for i in 0..<count {
            let tag = UUID().uuidString.lowercased()
            _ = try redis.command([
                Array("LPUSH".utf8), listKey(queue, step: step, prefix: prefix),
                message(id: "task-\(queue)-\(step)-\(i)", queue: queue, tag: tag, priority: step),
            ])
        }
    }

    /// Adds the binding kombu writes when a queue is declared on the default direct exchange.
    static func bind(_ redis: RedisServer, queue: String, prefix: String = "") throws {
        let member = Array(queue.utf8) + separator + separator + Array(queue.utf8)
        _ = try redis.command([Array("SADD".utf8), Array("\(prefix)_kombu.binding.\(queue)".utf8), member])
    }

    /// Adds one delivered-but-unacked message fetched at Unix time `fetchedAt`.
    static func unacked(
        _ redis: RedisServer, queue: String, fetchedAt: Double, prefix: String = "",
        eta: String? = nil
    ) throws {
        let tag = UUID().uuidString.lowercased()
        let value =
            Array("[".utf8) + message(id: "u-\(tag)", queue: queue, tag: tag, eta: eta)
            + Array(", \"\", \"\(queue)\"]".utf8)
        _ = try redis.command([Array("HSET".utf8), Array("\(prefix)unacked".utf8), Array(tag.utf8), value])
        _ = try redis.command([
            Array("ZADD".utf8), Array("\(prefix)unacked_index".utf8),
            Array(String(format: "%.6f", fetchedAt).utf8), Array(tag.utf8),
        ])
    }
}
