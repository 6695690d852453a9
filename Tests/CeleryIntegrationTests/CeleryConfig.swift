import Foundation

/// The Celery settings of one scenario, turned into the `CIT_*` environment variables that
/// `celeryapp/app.py` reads. Producer, workers and beat of a scenario must share one config (key
/// prefix and priority steps decide key names on both sides).
struct CeleryConfig: Sendable {
    /// Broker and result backend URL, e.g. `redis://127.0.0.1:PORT/0`.
    var url: String
    /// Result backend URL when it is not the broker's (Celery's `result_backend`), e.g.
    /// `redis://127.0.0.1:PORT/1`; nil: `url`.
    var backendURL: String?
    /// With a `sentinel://` ``backendURL``: `result_backend_transport_options['master_name']`.
    var backendMasterName: String?
    /// kombu `global_keyprefix` for broker and result backend ("" = none).
    var keyPrefix = ""
    /// Broker `visibility_timeout` in seconds (nil = kombu's default 3600 s). Also makes workers
    /// sweep `unacked` about every second (kombu 5.7 `unacked_restore_interval`).
    var visibilityTimeout: Int?
    /// `priority_steps=list(range(10))` instead of kombu's default 0, 3, 6, 9.
    var allPrioritySteps = false
    var acksLate = false
    var trackStarted = false
    var rejectOnWorkerLost = false
    var resultExtended = false
    var resultExpires: Int?
    /// Producer hook that stamps a `sent_at` header.
    var sentAtHeader = false
    /// `task_queues` with queue `videos` bound to direct exchange `media` under routing key
    /// `media.video` (queue name ≠ routing key), besides `celery`.
    var mediaQueue = false
    /// Task events: `worker_send_task_events` (as `-E`) and `task_send_sent_event`.
    var events = false
    /// Results in this SQLite file (`db+sqlite:///<path>`, Celery's SQLAlchemy backend) instead of
    /// Redis; the exporter is not told (it cannot read a database).
    var sqliteResults: String?

    init(url: String) { self.url = url }

    /// The process environment minus anything that could leak into Python from the caller, plus
    /// no bytecode writes (the test app lives in the source tree).
    static func baseEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("CIT_") && !$0.key.hasPrefix("CELERY_") && $0.key != "PYTHONPATH"
                && $0.key != "PYTHONHOME" && $0.key != "VIRTUAL_ENV"
        }
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = CeleryEnvironment.appDirectory.path
        return env
    }

    /// Environment for a Celery process (worker, beat, producer) of this scenario.
    func environment(extra: [String: String] = [:]) -> [String: String] {
        var env = Self.baseEnvironment()
        env["CIT_URL"] = url
        if let backendURL { env["CIT_BACKEND_URL"] = backendURL }
        if let backendMasterName { env["CIT_BACKEND_MASTER"] = backendMasterName }
        if !keyPrefix.isEmpty { env["CIT_PREFIX"] = keyPrefix }
        if let visibilityTimeout { env["CIT_VT"] = String(visibilityTimeout) }
        if allPrioritySteps { env["CIT_PRIORITY_STEPS"] = "all" }
        if acksLate { env["CIT_ACKS_LATE"] = "1" }
        if trackStarted { env["CIT_TRACK_STARTED"] = "1" }
        if rejectOnWorkerLost { env["CIT_REJECT_ON_LOST"] = "1" }
        if resultExtended { env["CIT_EXTENDED"] = "1" }
        if let resultExpires { env["CIT_RESULT_EXPIRES"] = String(resultExpires) }
        if sentAtHeader { env["CIT_SENT_AT"] = "1" }
        if mediaQueue { env["CIT_MEDIA_QUEUE"] = "1" }
        if events { env["CIT_EVENTS"] = "1" }
        if let sqliteResults { env["CIT_BACKEND_URL"] = "db+sqlite:///\(sqliteResults)" }
        for (k, v) in extra { env[k] = v }
        return env
    }
}
