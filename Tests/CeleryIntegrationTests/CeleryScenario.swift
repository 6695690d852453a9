import Foundation
import TestSupport

/// Everything one scenario runs: its own `redis-server`, the Celery config shared by producer,
/// workers and beat, a scratch directory (logs, beat schedule), the exporter, and every process
/// started — all stopped by pid when the scenario ends (``finish()`` or `deinit`).
final class CeleryScenario: @unchecked Sendable {
    // @unchecked: owned by one test.
    let redis: RedisServer
    /// Where Celery's result backend lives (``ResultBackendPlacement``).
    let resultPlacement: ResultBackendPlacement
    /// The second `redis-server` of ``ResultBackendPlacement/otherServer``.
    let resultRedis: RedisServer?
    let environment: CeleryEnvironment
    let config: CeleryConfig
    let directory: URL
    private(set) var workers: [CeleryWorker] = []
    private(set) var beats: [CeleryBeat] = []
    private(set) var exporter: ExporterUnderTest?

    /// Starts Redis (two servers for ``ResultBackendPlacement/otherServer``); `configure` adjusts
    /// the Celery settings (the URLs are filled in).
    init(resultBackend: ResultBackendPlacement = .broker, _ configure: (inout CeleryConfig) -> Void = { _ in }) throws {
        trace(
            "scenario: checking the venv; test thread \(((try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? "").split(separator: "\n").first { $0.hasPrefix("SigBlk") } ?? "?")"
        )
        environment = try CeleryEnvironment.require()
        trace("scenario: starting redis-server")
        redis = try spawnWithDefaultSignalMask { try RedisServer() }
        trace("scenario: redis on port \(redis.port)")
        resultPlacement = resultBackend
        switch resultBackend {
        case .broker, .brokerServer: resultRedis = nil
        case .otherServer: resultRedis = try spawnWithDefaultSignalMask { try RedisServer() }
        }
        var config = CeleryConfig(url: "redis://127.0.0.1:\(redis.port)/0")
        config.backendURL = Self.resultBackendURL(resultBackend, brokerPort: redis.port, resultRedis: resultRedis)
        configure(&config)
        self.config = config
        directory = try makeTemporaryDirectory("celery-it")
    }

    /// Celery's `result_backend` URL when it is not the broker's database (nil otherwise); also
    /// what the exporter gets as `--celery.result-backend-url`.
    var resultBackendURL: String? { config.backendURL }

    private static func resultBackendURL(
        _ placement: ResultBackendPlacement, brokerPort: UInt16,
        resultRedis: RedisServer?
    ) -> String? {
        switch placement {
        case .broker: return nil
        case .brokerServer(let db): return "redis://127.0.0.1:\(brokerPort)/\(db)"
        case .otherServer: return resultRedis.map { "redis://127.0.0.1:\($0.port)/0" }
        }
    }

    /// Publishes with this scenario's config.
    var producer: CeleryProducer { CeleryProducer(environment: environment, config: config) }

    /// Ground truth with this scenario's key prefix; stranded = older than `visibilityTimeout`
    /// (default: the Celery config's, else kombu's 3600 s).
    func truth(visibilityTimeout: Double? = nil) -> RedisTruth {
        var truth = RedisTruth(
            environment: environment, port: redis.port, keyPrefix: config.keyPrefix,
            visibilityTimeout: visibilityTimeout ?? config.visibilityTimeout.map(Double.init) ?? 3600)
        switch resultPlacement {
        case .broker: break
        case .brokerServer(let db): truth.resultBackend = "\(redis.port)/\(db)"
        case .otherServer: truth.resultBackend = resultRedis.map { String($0.port) }
        }
        return truth
    }

    /// Starts a prefork worker consuming `queues`; returns once it is ready.
    @discardableResult
    func startWorker(
        _ name: String = "w1", queues: [String] = ["celery"], concurrency: Int = 2,
        prefetchMultiplier: Int = 4, extraArguments: [String] = []
    ) throws -> CeleryWorker {
        let worker = try CeleryWorker(
            name: name, environment: environment, config: config, directory: directory,
            queues: queues, concurrency: concurrency, prefetchMultiplier: prefetchMultiplier,
            extraArguments: extraArguments)
        workers.append(worker)
        return worker
    }

    /// Starts `celery beat` publishing `app.add` to `queue` every `every` seconds.
    @discardableResult
    func startBeat(every: Double, queue: String = "celery") throws -> CeleryBeat {
        let beat = try CeleryBeat(
            environment: environment, config: config, directory: directory, every: every, queue: queue)
        beats.append(beat)
        return beat
    }

    /// Starts the exporter with the scenario's key prefix and visibility timeout (poll 0.5 s).
    @discardableResult
    func startExporter(queues: [String]? = nil, extraArguments: [String] = []) throws -> ExporterUnderTest {
        let e = try spawnWithDefaultSignalMask {
            try ExporterUnderTest(
                redisPort: redis.port, keyPrefix: config.keyPrefix,
                visibilityTimeout: config.visibilityTimeout.map(Double.init) ?? 3600,
                queues: queues,
                extraArguments: (resultBackendURL.map { ["--celery.result-backend-url=\($0)"] } ?? [])
                    + extraArguments)
        }
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
            trace(
                "worker \(worker.name): stopped (\(warm ? "SIGTERM" : "SIGKILL after grace") in \(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
            )
        }
        for beat in beats { beat.stop(grace: 5) }
        exporter?.terminate()
        redis.stop()
        resultRedis?.stop()
    }

    deinit {
        finish()
        if ProcessInfo.processInfo.environment["CIT_KEEP_LOGS"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// Where a scenario's Celery keeps its results (Celery's `result_backend`).
enum ResultBackendPlacement: Sendable, Equatable {
    /// The broker's database (`result_backend` = `broker_url`), the exporter without
    /// `--celery.result-backend-url`.
    case broker
    /// Another database of the broker's server (`redis://host/0` + `redis://host/<db>`).
    case brokerServer(db: Int)
    /// A second `redis-server` of its own.
    case otherServer
}
