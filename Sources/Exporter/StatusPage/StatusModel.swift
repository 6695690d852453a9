/// Everything the status page shows, built once per poll (``StatusModel/build(_:)``) so that the
/// HTML page and `GET /api/v1/status` are cheap to serve and always show the same numbers.
///
/// Names from Redis (queues, workers) are already cut to ``Celery/LabelValueLimit/maxBytes`` here,
/// exactly as in `/metrics`, and text from rules (annotations, label values) to
/// ``StatusModel/maximumTextBytes``: the model is bounded however hostile Redis or the rules are.
/// Nothing here is escaped: each renderer escapes for its own context (``StatusEscaping``).
///
/// Times are Unix seconds (wall clock); ages and durations are seconds.
public struct StatusModel: Sendable, Equatable {
    /// Bumped only when a field of `/api/v1/status` changes meaning or goes away.
    public static let schemaVersion = 1
    /// Longest annotation text kept, in UTF-8 bytes (label names and values are cut to
    /// ``Celery/LabelValueLimit/maxBytes`` like every label value in `/metrics`).
    public static let maximumTextBytes = 1024
    /// Labels shown per alert at most (sorted by name; `/api/v1/alerts` has them all).
    public static let maximumAlertLabels = 12
    /// Rows shown per table (worst first); the rest are counted, not listed, so the page stays
    /// well under 100 KB with 10,000 queues.
    public static let maximumRows = 50

    /// When this model was built (the end of the poll it describes).
    public var generatedAt: Double
    /// `--poll.interval`, seconds: the page refetches this often.
    public var pollInterval: Double
    /// The exporter's version.
    public var version: String
    /// Exporter health: Redis, the poll, census, events, notifications.
    public var health: Health
    /// Queues, worst first, at most ``maximumRows``.
    public var queues: [Queue]
    /// All queues the poll knew (``queues`` may show fewer).
    public var queueTotal: Int
    /// Messages waiting over all queues (not only those shown).
    public var depthTotal: Int64
    /// Queues (of all) with an alert on them or stranded messages.
    public var queuesNeedingAttention: Int
    /// Queues that got no depth history because ``DepthHistory/maximumQueues`` series were kept.
    public var queuesWithoutHistory: Int
    /// Workers, dead ones first, at most ``maximumRows``; nil when Celery events are off (no data).
    public var workers: [Worker]?
    /// Workers known (up and down) when ``workers`` is not nil.
    public var workerTotal: Int
    /// Workers up.
    public var workersUp: Int
    /// Result census and live outcomes.
    public var results: Results
    /// Pending and firing alerts, firing first, at most ``maximumRows``.
    public var alerts: [AlertRow]
    /// Pending and firing alerts in all.
    public var alertTotal: Int

    /// One queue row.
    public struct Queue: Sendable, Equatable {
        /// The queue name (cut like its `queue` label in `/metrics`).
        public var name: String
        /// Messages waiting (all priority lists).
        public var depth: Int64
        /// Seconds the oldest due message has waited; nil when none waits.
        public var oldestAge: Double?
        /// Delivered to a worker but not yet acknowledged (prefetched, running under acks_late, ETA-held).
        public var inFlight: Int
        /// In-flight messages with a future ETA/countdown.
        public var scheduled: Int
        /// In-flight messages older than the visibility timeout (nobody will run them until restored).
        public var stranded: Int
        /// The worst alert naming this queue in its `queue` label: firing, pending or nil.
        public var alertState: String?
        /// Depth over the last hour, oldest first, one value per ``DepthHistory/slotSeconds``
        /// (the largest depth seen in the slot); nil where no poll ran. Empty when not tracked.
        public var history: [Int64?]
        /// What the waiting messages are: the ``maximumTopTasks`` largest task names with their
        /// messages (`celery_redis_queue_tasks_by_name`), largest first; empty when the breakdown is
        /// off or nothing waits.
        public var topTasks: [TopTask] = []
        /// Whether ``topTasks`` counts every waiting message (else estimated from a sample).
        public var topTasksExact = true
    }

    /// Task names shown per queue at most.
    public static let maximumTopTasks = 3

    /// One task name of a queue's backlog.
    public struct TopTask: Sendable, Equatable {
        /// The `task` label (capped like in `/metrics`).
        public var task: String
        /// Waiting messages of that task (estimated when the queue is sampled).
        public var messages: Int
    }

    /// One worker row.
    public struct Worker: Sendable, Equatable {
        /// The node name (`celery@host`).
        public var name: String
        /// Heartbeats arrive.
        public var up: Bool
        /// Tasks executing per its last heartbeat.
        public var active: Int
        /// Tasks processed since it started, per its last heartbeat.
        public var processed: Int
        /// Unix time it went down; nil while up.
        public var downSince: Double?
        /// Unix time of its last heartbeat (or online/offline event).
        public var lastHeartbeat: Double
    }

    /// Result backend counts and live outcomes.
    public struct Results: Sendable, Equatable {
        /// `celery-task-meta-*` keys by state (PENDING, STARTED, SUCCESS, …); nil while the census
        /// is off or its first pass is still running.
        public var census: [(state: String, count: Int)]?
        /// Outcomes per minute by state over the last ``OutcomeRateWindow/windowSeconds`` (from
        /// live result writes); nil when Celery events are off or less than two polls were seen.
        public var ratesPerMinute: [(state: String, rate: Double)]?
        /// The span the rates are measured over, seconds.
        public var rateWindow: Double
        /// STARTED tasks whose worker is gone; nil while unknown.
        public var orphanedStarted: Int?

        public static func == (a: Results, b: Results) -> Bool {
            a.census?.map(\.state) == b.census?.map(\.state) && a.census?.map(\.count) == b.census?.map(\.count)
                && a.ratesPerMinute?.map(\.state) == b.ratesPerMinute?.map(\.state)
                && a.ratesPerMinute?.map(\.rate) == b.ratesPerMinute?.map(\.rate)
                && a.rateWindow == b.rateWindow && a.orphanedStarted == b.orphanedStarted
        }
    }

    /// One pending or firing alert.
    public struct AlertRow: Sendable, Equatable {
        /// `alertname`.
        public var name: String
        /// `firing` or `pending`.
        public var state: String
        /// Since when: fired at (firing) or active at (pending).
        public var since: Double
        /// Labels other than `alertname`, sorted by name, at most ``StatusModel/maximumAlertLabels``.
        public var labels: [(name: String, value: String)]
        /// The `summary` annotation (else `description`), or "".
        public var summary: String

        public static func == (a: AlertRow, b: AlertRow) -> Bool {
            a.name == b.name && a.state == b.state && a.since == b.since && a.summary == b.summary
                && a.labels.map(\.name) == b.labels.map(\.name) && a.labels.map(\.value) == b.labels.map(\.value)
        }
    }

    /// The exporter's own health.
    public struct Health: Sendable, Equatable {
        /// Whether a poll has finished yet.
        public var polled: Bool
        /// The last poll succeeded.
        public var redisUp: Bool
        /// Unix time the last poll finished.
        public var lastPollAt: Double?
        /// How long it took, seconds.
        public var lastPollDuration: Double?
        /// Unix time of the last successful poll.
        public var lastSuccessAt: Double?
        /// Why the last poll failed (sanitized and cut, no secrets); nil when it succeeded.
        public var lastError: String?
        /// Whether the result census runs.
        public var censusEnabled: Bool
        /// Unix time as of which the census counts are complete; nil before its first pass.
        public var censusUpdatedAt: Double?
        /// Whether the Pub/Sub event listener runs (`--celery.events`).
        public var eventsEnabled: Bool
        /// Whether its subscription is up.
        public var eventsSubscribed: Bool
        /// Notification delivery per receiver.
        public var receivers: [Receiver]
    }

    /// Delivery counts of one notification receiver since start.
    public struct Receiver: Sendable, Equatable {
        /// The receiver's name from the alerting configuration.
        public var name: String
        /// Delivered notifications.
        public var delivered: Int
        /// Given up or dropped.
        public var failed: Int
        /// Retried (failed or unanswered attempts).
        public var retried: Int
        /// Groups waiting for delivery now.
        public var pending: Int
        /// Unix time of the last delivery; nil if none yet.
        public var lastSuccessAt: Double?
    }
}
