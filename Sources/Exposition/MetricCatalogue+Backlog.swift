// What a backlog is made of: waiting messages by task name, and the cost of finding out
// (MetricsBuilder, from the sampler's backlog stage).
extension MetricDescriptor {
    /// `celery_redis_queue_tasks_by_name`
    public static let queueTasksByName = MetricDescriptor(
        "celery_redis_queue_tasks_by_name", .gauge, labels: ["queue", "task"],
        help: "Messages waiting in the queue by task header, all priority lists: exact up to "
            + "--celery.queue-sample-limit messages, else estimated from its oldest and newest (see "
            + "queue_sampled_messages). Names beyond --celery.task-name-limit count as task=\"other\".")
    /// `celery_redis_queue_sampled_messages`
    public static let queueSampledMessages = MetricDescriptor(
        "celery_redis_queue_sampled_messages", .gauge, labels: ["queue"],
        help: "Waiting messages of the queue whose task name was looked for (read once and remembered while they "
            + "stay in the sampled window); equal to queue_length when queue_tasks_by_name is exact.")
    /// `celery_redis_queue_unclassified_messages`
    public static let queueUnclassifiedMessages = MetricDescriptor(
        "celery_redis_queue_unclassified_messages", .gauge, labels: ["queue", "reason"],
        help: "Waiting messages not in queue_tasks_by_name: no_task_name (no usable task header), "
            + "scripting_unavailable (Redis refused the read-only script), too_large (messages of 8 MiB or more "
            + "on average: not copied) or pending (not read yet). Only non-zero series.")
    /// `celery_redis_queue_sample_reads_total`
    public static let queueSampleReads = MetricDescriptor(
        "celery_redis_queue_sample_reads", .counter,
        help: "Waiting messages read from Redis to find their task name (each one once while it stays in the "
            + "sampled window).")
    /// `celery_redis_queue_sample_copied_bytes_total`
    public static let queueSampleCopiedBytes = MetricDescriptor(
        "celery_redis_queue_sample_copied_bytes", .counter, unit: "bytes",
        help: "Bytes Redis copied into the read-only script to find task names (whole messages: a list element "
            + "has no partial read); only the names come back. At most about 64 MiB per poll.")
    /// `celery_redis_queue_sample_tracked_messages`
    public static let queueSampleTrackedMessages = MetricDescriptor(
        "celery_redis_queue_sample_tracked_messages", .gauge,
        help: "Waiting messages whose task name is remembered between polls (at most 100,000; the rest count "
            + "as pending).")
}

extension MetricCatalogue {
    /// What a backlog is made of (MetricsBuilder).
    public static let backlog: [MetricDescriptor] = [
        .queueTasksByName, .queueSampledMessages, .queueUnclassifiedMessages, .queueSampleReads,
        .queueSampleCopiedBytes, .queueSampleTrackedMessages,
    ]
}
