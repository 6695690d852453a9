// Workers from their heartbeats, and the health of the Pub/Sub listener (CeleryEventMonitor,
// EventListenerThread).
extension MetricDescriptor {
    /// `celery_redis_worker_up`
    public static let workerUp = MetricDescriptor(
        "celery_redis_worker_up", .gauge, labels: ["worker"],
        help: "1 while the worker's heartbeats arrive (no worker-offline since), 0 once it stopped or went silent; "
            + "dropped after the worker forget time.")
    /// `celery_redis_worker_tasks_active`
    public static let workerTasksActive = MetricDescriptor(
        "celery_redis_worker_tasks_active", .gauge, labels: ["worker"],
        help: "Tasks executing on the worker per its last heartbeat (prefetched tasks not included); 0 when the "
            + "worker is down.")
    /// `celery_redis_worker_processed_tasks_total`
    public static let workerProcessedTasks = MetricDescriptor(
        "celery_redis_worker_processed_tasks", .counter, labels: ["worker"],
        help: "Tasks the worker has processed since it started, per its last heartbeat (resets when the worker "
            + "restarts).")
    /// `celery_redis_workers`
    public static let workers = MetricDescriptor(
        "celery_redis_workers", .gauge,
        help: "Workers up (heartbeats arriving, no worker-offline since).")
    /// `celery_redis_workers_evicted_total`
    public static let workersEvicted = MetricDescriptor(
        "celery_redis_workers_evicted", .counter,
        help: "Workers forgotten to make room for a new host name while --celery.max-workers workers were tracked "
            + "(the one down longest, else the one silent longest).")
    /// `celery_redis_event_heartbeat_frequency_clamped_total`
    public static let eventHeartbeatFrequencyClamped = MetricDescriptor(
        "celery_redis_event_heartbeat_frequency_clamped", .counter,
        help: "Worker events whose announced heartbeat period (freq) was outside the accepted range and was clamped "
            + "into it.")
    /// `celery_redis_worker_restarts_total`
    public static let workerRestarts = MetricDescriptor(
        "celery_redis_worker_restarts", .counter,
        help: "Restarts seen of a worker under a host name it already had (new pid, Lamport clock gone backwards, "
            + "or worker-online after worker-offline); STARTED tasks of the process before count as orphaned.")
    /// `celery_redis_event_subscriber_up`
    public static let eventSubscriberUp = MetricDescriptor(
        "celery_redis_event_subscriber_up", .gauge,
        help: "1 while the broker's Pub/Sub subscription (worker events, and result writes unless "
            + "--celery.result-backend-url gives them their own, see celery_redis_result_backend_up) is "
            + "established; messages published while it is 0 are lost.")
    /// `celery_redis_event_subscriber_reconnects_total`
    public static let eventSubscriberReconnects = MetricDescriptor(
        "celery_redis_event_subscriber_reconnects", .counter,
        help: "Times the Pub/Sub subscription was re-established after a failure.")
    /// `celery_redis_event_messages_total`
    public static let eventMessages = MetricDescriptor(
        "celery_redis_event_messages", .counter, labels: ["kind"],
        help: "Pub/Sub messages received, by channel kind (result: celery-task-meta-*, worker: celeryev worker.*).")
    /// `celery_redis_event_decode_errors_total`
    public static let eventDecodeErrors = MetricDescriptor(
        "celery_redis_event_decode_errors", .counter, labels: ["kind"],
        help: "Pub/Sub messages on Celery's channels that could not be decoded, by channel kind.")
    /// `celery_redis_event_messages_dropped_total`
    public static let eventMessagesDropped = MetricDescriptor(
        "celery_redis_event_messages_dropped", .counter,
        help: "Pub/Sub messages dropped unread for being larger than the subscriber's message limit; each is a "
            + "missed result write or worker event (the census's next pass corrects result counts).")
}

extension MetricCatalogue {
    /// Workers from their heartbeats, and the health of the Pub/Sub listener (CeleryEventMonitor, EventListenerThread).
    public static let workers: [MetricDescriptor] = [
        .workerUp, .workerTasksActive, .workerProcessedTasks, .workers, .workersEvicted,
        .eventHeartbeatFrequencyClamped, .workerRestarts, .eventSubscriberUp, .eventSubscriberReconnects,
        .eventMessages, .eventDecodeErrors, .eventMessagesDropped,
    ]
}
