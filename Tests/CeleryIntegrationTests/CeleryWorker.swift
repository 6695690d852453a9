import Foundation
import TestSupport

/// A real `celery worker` (prefork pool) of the test app, started from the venv.
///
/// Started with `--without-mingle` (saves the ~1 s mingle round at start; it synchronises revoked
/// ids between workers, which no scenario uses) and `-n <name>@%h`. ``start`` returns once the
/// worker logged `ready.`, i.e. it consumes and has run its start-up `restore_visible` sweep.
final class CeleryWorker: @unchecked Sendable {
    // @unchecked: owned by one test.
    let name: String
    let queues: [String]
    let process: CeleryProcess

    init(
        name: String, environment: CeleryEnvironment, config: CeleryConfig, directory: URL,
        queues: [String] = ["celery"], concurrency: Int = 2, prefetchMultiplier: Int = 4,
        extraArguments: [String] = [], readyTimeout: Double = 45
    ) throws {
        self.name = name
        self.queues = queues
        let arguments =
            [
                "-A", "app", "worker", "-P", "prefork", "-c", String(concurrency),
                "--prefetch-multiplier", String(prefetchMultiplier), "-n", "\(name)@%h",
                "-Q", queues.joined(separator: ","), "--loglevel=info", "--without-mingle",
            ]
            + extraArguments
        trace("worker \(name): starting \(arguments.joined(separator: " "))")
        process = try CeleryProcess(
            name: "worker-\(name)", executable: environment.celery, arguments: arguments,
            environment: config.environment(), directory: directory)
        let ready = waitUntil(timeout: readyTimeout) { !process.isRunning || process.log.contains(" ready.") }
        guard ready, process.isRunning else {
            process.kill()
            throw HarnessError(
                "celery worker \(name) did not become ready within \(readyTimeout) s "
                    + "(running: \(process.isRunning)); log:\n\(process.logTail())")
        }
        trace("worker \(name): ready (pid \(process.pid), SIGTERM blocked: \(blocksSIGTERM(process.pid)))")
        // Pool processes exist once the worker is ready; remember them for a later SIGKILL.
        _ = waitUntil(timeout: 5) { process.refreshChildren().count >= concurrency }
    }

    var pid: pid_t { process.pid }
    var poolChildren: [ProcessIdentity] { process.refreshChildren() }

    /// How many times the worker logged `Task <name>[<id>] received`.
    func receivedCount(_ taskID: String) -> Int {
        process.log.components(separatedBy: "[\(taskID)] received").count - 1
    }

    /// Warm shutdown by SIGTERM; SIGKILL after `grace` seconds.
    @discardableResult
    func stop(grace: Double = 15) -> Bool { process.stop(grace: grace) }

    /// SIGKILL of the main process and every pool child, mid-task.
    func kill() { process.kill() }
}

/// A real `celery beat` of the test app: publishes `app.add(1, 2)` to `queue` every `every`
/// seconds, with its schedule file in the scenario's directory (beat keeps nothing in Redis).
final class CeleryBeat: @unchecked Sendable {
    // @unchecked: owned by one test.
    let process: CeleryProcess

    init(
        environment: CeleryEnvironment, config: CeleryConfig, directory: URL, every: Double, queue: String = "celery",
        readyTimeout: Double = 30
    ) throws {
        let extra = [
            "CIT_BEAT_EVERY": String(every), "CIT_BEAT_QUEUE": queue,
            "CIT_BEAT_FILE": directory.appendingPathComponent("celerybeat-schedule").path,
        ]
        process = try CeleryProcess(
            name: "beat", executable: environment.celery,
            arguments: ["-A", "app", "beat", "--loglevel=info"],
            environment: config.environment(extra: extra), directory: directory)
        let started = waitUntil(timeout: readyTimeout) { !process.isRunning || process.log.contains("beat: Starting") }
        guard started, process.isRunning else {
            process.kill()
            throw HarnessError("celery beat did not start within \(readyTimeout) s; log:\n\(process.logTail())")
        }
    }

    /// How many times beat logged `Scheduler: Sending due task`.
    var sentCount: Int { process.log.components(separatedBy: "Sending due task").count - 1 }

    @discardableResult
    func stop(grace: Double = 10) -> Bool { process.stop(grace: grace) }
}
