// The result backend: live result writes on Pub/Sub (CeleryEventMonitor) and the census of celery-
// task-meta-* keys (MetricsBuilder, ResultBackendStatus).
extension MetricDescriptor {
    /// `celery_redis_task_results_total`
    public static let taskResults = MetricDescriptor(
        "celery_redis_task_results", .counter, labels: ["state", "task"],
        help: "Result state writes received live on the celery-task-meta-* Pub/Sub channels since the exporter "
            + "started, by state (STARTED needs task_track_started; unknown states are 'other'). Writes, not tasks: "
            + "count tasks with celery_redis_tasks_total.")
    /// `celery_redis_task_runtime_seconds`
    public static let taskRuntimeSeconds = MetricDescriptor(
        "celery_redis_task_runtime_seconds", .histogram, unit: "seconds", labels: ["task"],
        help: "Task runtimes, once per task: task-succeeded's runtime, or task-started to task-failed (-E); "
            + "without events the seconds between receiving its STARTED and final result writes (task_track_started).")
    /// `celery_redis_tasks_total`
    public static let tasks = MetricDescriptor(
        "celery_redis_tasks", .counter, labels: ["state", "task"],
        help: "Tasks by state reached (RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REJECTED, REVOKED) since the "
            + "exporter started, from task events (-E) and result writes, each task counted once per transition "
            + "whichever sources exist: one RETRY per retry, the final state once.")
    /// `celery_redis_task_failures_total`
    public static let taskFailures = MetricDescriptor(
        "celery_redis_task_failures", .counter, labels: ["exception", "task"],
        help: "FAILURE outcomes by exception type name (result exc_type or the task-failed event's exception; never "
            + "the message); names past the limit, and reprs without a type, count as 'other'.")
    /// `celery_redis_task_queue_wait_seconds`
    public static let taskQueueWaitSeconds = MetricDescriptor(
        "celery_redis_task_queue_wait_seconds", .histogram, unit: "seconds", labels: ["task"],
        help: "Seconds from a task's task-sent event (task_send_sent_event), or its ETA for ETA/countdown tasks, to "
            + "its task-started event (-E): how long tasks wait for a worker. Producer and worker clocks differ.")
    /// `celery_redis_task_table_entries`
    public static let taskTableEntries = MetricDescriptor(
        "celery_redis_task_table_entries", .gauge,
        help: "Tasks in the exporter's task table (names and times for events that carry only a uuid): tasks in "
            + "flight plus those finished in the last minute.")
    /// `celery_redis_task_table_evicted_total`
    public static let taskTableEvicted = MetricDescriptor(
        "celery_redis_task_table_evicted", .counter, labels: ["reason"],
        help: "Tasks dropped from the task table before their final state: age (unfinished past the tracking age) "
            + "or capacity (the table was full; the oldest gave way). Their later events count under task 'other'.")
    /// `celery_redis_task_events_discarded_total`
    public static let taskEventsDiscarded = MetricDescriptor(
        "celery_redis_task_events_discarded", .counter, labels: ["reason"],
        help: "Task events not used from otherwise readable task.* messages: batch_limit (past 1000 in one "
            + "message), malformed (no string type and uuid), unknown_type (not a Celery task event).")
    /// `celery_redis_worker_lost_tasks_total`
    public static let workerLostTasks = MetricDescriptor(
        "celery_redis_worker_lost_tasks", .counter, labels: ["task"],
        help: "FAILURE results with exc_type WorkerLostError received live: a pool process died mid-task (acks_late "
            + "without task_reject_on_worker_lost).")
    /// `celery_redis_task_runtime_pending_tasks`
    public static let taskRuntimePendingTasks = MetricDescriptor(
        "celery_redis_task_runtime_pending_tasks", .gauge,
        help: "Tasks whose STARTED write was received and whose final write has not been yet (running, or lost with "
            + "their worker until evicted).")
    /// `celery_redis_task_runtime_evicted_tasks_total`
    public static let taskRuntimeEvictedTasks = MetricDescriptor(
        "celery_redis_task_runtime_evicted_tasks", .counter,
        help: "STARTED writes dropped from the runtime pairing table before their final write (older than the "
            + "tracking age, or the table was full).")
    /// `celery_redis_task_names_evicted_total`
    public static let taskNamesEvicted = MetricDescriptor(
        "celery_redis_task_names_evicted", .counter,
        help: "Task names that gave up their task label to a newer name once --celery.task-name-limit names were in "
            + "use (names unseen for an hour give way; their result series are dropped).")
    /// `celery_redis_task_names_refused_total`
    public static let taskNamesRefused = MetricDescriptor(
        "celery_redis_task_names_refused", .counter, labels: ["kind"],
        help: "Names from live result writes and task events counted as \"other\" because their table was full "
            + "and no name in it had gone unseen for an hour: kind=task (--celery.task-name-limit names; once per "
            + "task), kind=exception (50 exception type names of task_failures_total; once per failure).")
    /// `celery_redis_task_meta_keys`
    public static let taskMetaKeys = MetricDescriptor(
        "celery_redis_task_meta_keys", .gauge, labels: ["state"],
        help: "celery-task-meta-* result keys by status (other: custom states; unknown: not a Celery meta; "
            + "unclassified: over 4 KiB, no status in its first 4 KiB) as of the last complete census pass, kept "
            + "current by live result writes and predicted expiries; forget() shows after the next pass.")
    /// `celery_redis_task_meta_worker_lost_keys`
    public static let taskMetaWorkerLostKeys = MetricDescriptor(
        "celery_redis_task_meta_worker_lost_keys", .gauge,
        help: "FAILURE result keys whose exception is WorkerLostError (a pool process died mid-task), counted like "
            + "task_meta_keys; also counted in task_meta_keys{state=\"FAILURE\"}.")
    /// `celery_redis_started_task_oldest_age_seconds`
    public static let startedTaskOldestAgeSeconds = MetricDescriptor(
        "celery_redis_started_task_oldest_age_seconds", .gauge, unit: "seconds",
        help: "Seconds since the oldest task with a STARTED result key started (0 when none): the larger of time "
            + "since first seen and now - (result_expires - PTTL). Needs task_track_started.")
    /// `celery_redis_orphaned_started_tasks`
    public static let orphanedStartedTasks = MetricDescriptor(
        "celery_redis_orphaned_started_tasks", .gauge,
        help: "Tasks whose worker is gone: STARTED result keys whose hostname is not a live worker, plus stranded "
            + "unacked tasks while no worker is alive to restore them. Present only when worker liveness is known.")
    /// `celery_redis_census_duration_seconds`
    public static let censusDurationSeconds = MetricDescriptor(
        "celery_redis_census_duration_seconds", .gauge, unit: "seconds",
        help: "Wall time of the last complete census reconciliation pass over celery-task-meta-* keys (a full SCAN "
            + "on the census's own connection, paced evenly; it does not delay polls).")
    /// `celery_redis_census_last_complete_timestamp_seconds`
    public static let censusLastCompleteTimestampSeconds = MetricDescriptor(
        "celery_redis_census_last_complete_timestamp_seconds", .gauge, unit: "seconds",
        help: "Unix time the last complete census reconciliation pass ended (it catches forget() deletions and "
            + "writes missed while the event subscriber was down).")
    /// `celery_redis_census_updated_timestamp_seconds`
    public static let censusUpdatedTimestampSeconds = MetricDescriptor(
        "celery_redis_census_updated_timestamp_seconds", .gauge, unit: "seconds",
        help: "Unix time as of which task_meta_keys includes every change the exporter can observe: about now while "
            + "the result Pub/Sub stream has been up since the last complete census pass began, else the end of "
            + "that pass. time() minus this is the age of the counts.")
    /// `celery_redis_result_backend_up`
    public static let resultBackendUp = MetricDescriptor(
        "celery_redis_result_backend_up", .gauge,
        help: "1 when the exporter's connections to the separate result backend (--celery.result-backend-url) work: "
            + "the census connection (checked at least every poll interval) and the result-write subscription. "
            + "celery_redis_up is the broker's alone; result metrics may lag while this is 0.")
    /// `celery_redis_census_entries_refused_total`
    public static let censusEntriesRefused = MetricDescriptor(
        "celery_redis_census_entries_refused", .counter, labels: ["reason"],
        help: "Result census entries not kept: table_full (a live result write of a new key while the table held "
            + "max(1,000,000, 2 x DBSIZE) keys; the next pass counts the key), started_full (a sighting of a STARTED "
            + "meta past 100,000 tracked, each pass again: counted by state, without age or orphan check).")
    /// `celery_redis_census_pass_keys_walked`
    public static let censusPassKeysWalked = MetricDescriptor(
        "celery_redis_census_pass_keys_walked", .gauge,
        help: "Keys the running census pass has walked so far (the last pass's total between passes); the result "
            + "counts appear when the first pass completes.")
    /// `celery_redis_census_pass_keys_expected`
    public static let censusPassKeysExpected = MetricDescriptor(
        "celery_redis_census_pass_keys_expected", .gauge,
        help: "Keys in the database (DBSIZE) when the running census pass started: what "
            + "celery_redis_census_pass_keys_walked counts towards.")
}

extension MetricCatalogue {
    /// The result backend: live result writes on Pub/Sub (CeleryEventMonitor) and the census of celery-task-meta-*
    /// keys (MetricsBuilder, ResultBackendStatus).
    public static let results: [MetricDescriptor] = [
        .taskResults, .tasks, .taskFailures, .taskRuntimeSeconds, .taskQueueWaitSeconds, .taskTableEntries,
        .taskTableEvicted, .taskEventsDiscarded, .workerLostTasks, .taskRuntimePendingTasks, .taskRuntimeEvictedTasks,
        .taskNamesEvicted, .taskNamesRefused, .taskMetaKeys, .taskMetaWorkerLostKeys, .startedTaskOldestAgeSeconds,
        .orphanedStartedTasks, .censusDurationSeconds, .censusLastCompleteTimestampSeconds,
        .censusUpdatedTimestampSeconds, .censusEntriesRefused, .resultBackendUp, .censusPassKeysWalked,
        .censusPassKeysExpected,
    ]
}
