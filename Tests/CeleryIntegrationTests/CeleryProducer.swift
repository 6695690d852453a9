import Foundation
import TestSupport

/// One task to publish with `celeryapp/send.py` (`app.send_task(task, args, kwargs, **options)`).
struct TaskMessage: Encodable, Sendable {
    /// A JSON argument value.
    enum Value: Encodable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral
    {
        case int(Int)
        case double(Double)
        case string(String)
        init(integerLiteral value: Int) { self = .int(value) }
        init(floatLiteral value: Double) { self = .double(value) }
        init(stringLiteral value: String) { self = .string(value) }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .int(let v): try c.encode(v)
            case .double(let v): try c.encode(v)
            case .string(let v): try c.encode(v)
            }
        }
    }

    /// `send_task` options that scenarios use.
    struct Options: Encodable, Sendable {
        var queue: String?
        var priority: Int?
        var countdown: Double?
        var expires: Double?
    }

    var task: String
    var args: [Value] = []
    var kwargs: [String: Value] = [:]
    var opts = Options()
    /// Bytes of a `pad` keyword argument `send.py` adds (a large argument argv cannot carry).
    var pad: Int?

    /// `app.add(x, y)`: returns at once.
    static func add(_ x: Int, _ y: Int, queue: String? = nil, priority: Int? = nil, countdown: Double? = nil)
        -> TaskMessage
    {
        TaskMessage(
            task: "app.add", args: [.int(x), .int(y)],
            opts: Options(queue: queue, priority: priority, countdown: countdown))
    }

    /// `app.slow(seconds)`: sleeps, then succeeds.
    static func slow(_ seconds: Double, tag: String = "", queue: String? = nil, priority: Int? = nil) -> TaskMessage {
        TaskMessage(
            task: "app.slow", args: [.double(seconds)], kwargs: ["tag": .string(tag)],
            opts: Options(queue: queue, priority: priority))
    }

    /// `app.slow(seconds, pad='x' * bytes)`: a slow task with a large argument.
    static func slow(_ seconds: Double, tag: String = "", padBytes: Int) -> TaskMessage {
        var message = slow(seconds, tag: tag)
        message.pad = padBytes
        return message
    }

    /// `app.boom()`: raises ValueError (FAILURE).
    static func boom(queue: String? = nil) -> TaskMessage { TaskMessage(task: "app.boom", opts: Options(queue: queue)) }

    /// `app.flaky()`: retries (RETRY, max 2 by default), then FAILURE.
    static func flaky(queue: String? = nil) -> TaskMessage {
        TaskMessage(task: "app.flaky", opts: Options(queue: queue))
    }

    /// `app.quiet()`: `ignore_result=True`, never writes a result.
    static func quiet(queue: String? = nil) -> TaskMessage {
        TaskMessage(task: "app.quiet", opts: Options(queue: queue))
    }
}

/// Publishes tasks the way an application does: a separate Python process running
/// `celeryapp/send.py` with the scenario's Celery config (so its key prefix and priority steps
/// decide the key names, exactly as in production).
struct CeleryProducer: Sendable {
    let environment: CeleryEnvironment
    let config: CeleryConfig

    /// Publishes `tasks` in order; returns their task ids.
    @discardableResult
    func send(_ tasks: [TaskMessage]) throws -> [String] {
        let json = String(decoding: try JSONEncoder().encode(tasks), as: UTF8.self)
        let script = CeleryEnvironment.appDirectory.appendingPathComponent("send.py").path
        trace("producer: sending \(tasks.count) tasks")
        let result = try runCommand(environment.python, [script, json], environment: config.environment())
        trace("producer: sent (status \(result.status))")
        guard result.status == 0, let last = result.stdout.split(separator: "\n").last,
            let ids = try? JSONDecoder().decode([String].self, from: Data(last.utf8))
        else {
            throw HarnessError("send.py failed (status \(result.status)): \(result.stderr.suffix(2000))")
        }
        return ids
    }

    /// `app.control.revoke(id)` for each id (a pidbox broadcast the workers act on: a revoked task
    /// is discarded when it would run, and its result becomes REVOKED).
    func revoke(_ ids: [String]) throws {
        let code = "import sys\nfrom app import app\nfor i in sys.argv[1:]:\n    app.control.revoke(i)\n"
        let result = try runCommand(environment.python, ["-c", code] + ids, environment: config.environment())
        guard result.status == 0 else {
            throw HarnessError("revoke failed (status \(result.status)): \(result.stderr.suffix(2000))")
        }
    }
}
