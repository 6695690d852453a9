import Foundation
import TestSupport

/// Everything one scenario runs: its own `redis-server`, the Celery config shared by producer,
/// workers and beat, a scratch directory (logs, beat schedule), the exporter, and every process
/// started — all stopped by pid when the scenario ends (``finish()`` or `deinit`).
final class CeleryScenario: @unchecked Sendable {
    // @unchecked: owned by one test.
    let redis: RedisServer
    let environment: CeleryEnvironment
    let config: CeleryConfig
    let directory: URL
    private(set) var workers: [CeleryWorker] = []
    private(set) var beats: [CeleryBeat] = []
    private(set) var exporter: ExporterUnderTest?

    /// Starts Redis; `configure` adjusts the Celery settings (the URL is filled in).
    init(_ configure: (inout CeleryConfig) -> Void = { _ in }) throws {
        trace("scenario: checking the venv; test thread \(((try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? "").split(separator: "\n").first { $0.hasPrefix("SigBlk") } ?? "?")")
        environment = try CeleryEnvironment.require()
        trace("scenario: starting redis-server")
        redis = try withDefaultSignalMask { try RedisServer() }
        trace("scenario: redis on port \(redis.port)")
        var config = CeleryConfig(url: "redis://127.0.0.1:\(redis.port)/0")
        configure(&config)
        self.config = config
        directory = try makeTemporaryDirectory("celery-it")
    }

    /// Publishes with this scenario's config.
    var producer: CeleryProducer { CeleryProducer(environment: environment, config: config) }

    /// Ground truth with this scenario's key prefix; stranded = older than `visibilityTimeout`
    /// (default: the Celery config's, else kombu's 3600 s).
    func truth(visibilityTimeout: Double? = nil) -> RedisTruth {
        RedisTruth(environment: environment, port: redis.port, keyPrefix: config.keyPrefix,
                   visibilityTimeout: visibilityTimeout ?? config.visibilityTimeout.map(Double.init) ?? 3600)
    }

    /// Starts a prefork worker consuming `queues`; returns once it is ready.
    @discardableResult
    func startWorker(_ name: String = "w1", queues: [String] = ["celery"], concurrency: Int = 2,
                     prefetchMultiplier: Int = 4, extraArguments: [String] = []) throws -> CeleryWorker {
        let worker = try CeleryWorker(name: name, environment: environment, config: config, directory: directory,
                                      queues: queues, concurrency: concurrency, prefetchMultiplier: prefetchMultiplier,
                                      extraArguments: extraArguments)
        workers.append(worker)
        return worker
    }

    /// Starts `celery beat` publishing `app.add` to `queue` every `every` seconds.
    @discardableResult
    func startBeat(every: Double, queue: String = "celery") throws -> CeleryBeat {
        let beat = try CeleryBeat(environment: environment, config: config, directory: directory, every: every, queue: queue)
        beats.append(beat)
        return beat
    }

    /// Starts the exporter with the scenario's key prefix and visibility timeout (poll 0.5 s).
    @discardableResult
    func startExporter(queues: [String]? = nil, extraArguments: [String] = []) throws -> ExporterUnderTest {
        let e = try withDefaultSignalMask { try ExporterUnderTest(redisPort: redis.port, keyPrefix: config.keyPrefix,
                                      visibilityTimeout: config.visibilityTimeout.map(Double.init) ?? 3600,
                                      queues: queues, extraArguments: extraArguments) }
        exporter = e
        return e
    }

    /// Worker and beat logs, for failure messages.
    var logs: String {
        (workers.map(\.process) + beats.map(\.process)).map { "--- \($0.name) (pid \($0.pid))\n\($0.logTail(15))" }
            .joined(separator: "\n")
    }

    /// Stops every process (workers and beat by SIGTERM with a short grace, then SIGKILL; the
    /// exporter by SIGTERM) and Redis. Idempotent.
    func finish() {
        for worker in workers where worker.process.isRunning {
            let started = Date()
            let warm = worker.stop(grace: 5)
            trace("worker \(worker.name): stopped (\(warm ? "SIGTERM" : "SIGKILL after grace") in \(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
        }
        for beat in beats { beat.stop(grace: 5) }
        exporter?.terminate()
        redis.stop()
    }

    deinit {
        finish()
        if ProcessInfo.processInfo.environment["CIT_KEEP_LOGS"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
