// Queues and in-flight tasks: the poll's reads of kombu's lists and unacked structures
// (MetricsBuilder).
extension MetricDescriptor {
    /// `celery_redis_queue_length`
    public static let queueLength = MetricDescriptor(
        "celery_redis_queue_length", .gauge, labels: ["queue"],
        help: "Messages waiting in the queue's Redis lists, all priority levels summed (0 when Redis has deleted "
            + "the empty list).")
    /// `celery_redis_queue_oldest_message_age_seconds`
    public static let queueOldestMessageAgeSeconds = MetricDescriptor(
        "celery_redis_queue_oldest_message_age_seconds", .gauge, unit: "seconds", labels: ["queue"],
        help: "Seconds the oldest due message of the queue has waited (tails of all priority lists, future-ETA "
            + "messages skipped; 0 when none): exact with a sent_at header or expires, else since the exporter "
            + "first saw it next in line (a lower bound).")
    /// `celery_redis_queue_redelivered_tail_messages`
    public static let queueRedeliveredTailMessages = MetricDescriptor(
        "celery_redis_queue_redelivered_tail_messages", .gauge, labels: ["queue"],
        help: "Messages next in line on the queue's priority lists (at most one per list) that kombu restored with "
            + "redelivered=true: a worker died or a countdown exceeded the visibility timeout; their wait started "
            + "earlier than it looks.")
    /// `celery_redis_unacked_tasks`
    public static let unackedTasks = MetricDescriptor(
        "celery_redis_unacked_tasks", .gauge, labels: ["queue"],
        help: "Tasks delivered to workers and not yet acknowledged (kombu's unacked hash): prefetched, "
            + "ETA/countdown-held, and running under acks_late.")
    /// `celery_redis_unacked_oldest_age_seconds`
    public static let unackedOldestAgeSeconds = MetricDescriptor(
        "celery_redis_unacked_oldest_age_seconds", .gauge, unit: "seconds", labels: ["queue"],
        help: "Seconds since a worker fetched the oldest unacknowledged task of the queue (0 when there is none).")
    /// `celery_redis_unacked_stranded_tasks`
    public static let unackedStrandedTasks = MetricDescriptor(
        "celery_redis_unacked_stranded_tasks", .gauge, labels: ["queue"],
        help: "Unacknowledged tasks fetched longer ago than the visibility timeout and not yet restored: usually "
            + "their worker died and no live worker has swept them back (a live worker sweeps about every 100 s); "
            + "also countdown/ETA tasks held longer than the timeout (see eta_beyond_visibility_tasks).")
    /// `celery_redis_scheduled_tasks`
    public static let scheduledTasks = MetricDescriptor(
        "celery_redis_scheduled_tasks", .gauge, labels: ["queue"],
        help: "Unacknowledged tasks whose ETA/countdown is still in the future: held by workers until due (they "
            + "bypass the prefetch limit).")
    /// `celery_redis_eta_beyond_visibility_tasks`
    public static let etaBeyondVisibilityTasks = MetricDescriptor(
        "celery_redis_eta_beyond_visibility_tasks", .gauge, labels: ["queue"],
        help: "Unacknowledged tasks whose ETA is more than the visibility timeout after the worker fetched them: "
            + "kombu restores them before they are due, so Celery will run them more than once.")
    /// `celery_redis_unacked_tasks_by_name`
    public static let unackedTasksByName = MetricDescriptor(
        "celery_redis_unacked_tasks_by_name", .gauge, labels: ["queue", "task"],
        help: "Unacknowledged tasks of the unacked sample by queue and task name (names beyond the configured limit "
            + "are counted under task=\"other\").")
    /// `celery_redis_scheduled_tasks_by_name`
    public static let scheduledTasksByName = MetricDescriptor(
        "celery_redis_scheduled_tasks_by_name", .gauge, labels: ["queue", "task"],
        help: "Scheduled (future ETA) unacknowledged tasks by queue and task name (names beyond the configured "
            + "limit are counted under task=\"other\").")
    /// `celery_redis_unacked_unclassified_tasks`
    public static let unackedUnclassifiedTasks = MetricDescriptor(
        "celery_redis_unacked_unclassified_tasks", .gauge,
        help: "Unacknowledged tasks not attributed to a queue in this poll (beyond the sample limit, not yet "
            + "decoded, or undecodable); with the per-queue series they sum to all unacked tasks (stale "
            + "unacked_index entries excluded).")
    /// `celery_redis_unacked_unread_tasks`
    public static let unackedUnreadTasks = MetricDescriptor(
        "celery_redis_unacked_unread_tasks", .gauge, labels: ["reason"],
        help: "Sampled unacknowledged tasks over the whole-value read budget whose queue was not read: "
            + "scripting_unavailable (the read-only slicing script was refused), beyond_slice (not in the head and "
            + "tail slices) or deferred (8 MiB or more: awaits the poll's one huge read). Part of "
            + "unacked_unclassified_tasks.")
    /// `celery_redis_unacked_index_stale_entries`
    public static let unackedIndexStaleEntries = MetricDescriptor(
        "celery_redis_unacked_index_stale_entries", .gauge,
        help: "Members of the sampled unacked_index with no entry in the unacked hash: leftovers of an interrupted "
            + "ack or restore, not tasks in flight, left out of every unacked, stranded and orphaned count. "
            + "Persistently non-zero with live workers: the index is not being cleaned.")
    /// `celery_redis_huge_value_read_failures_total`
    public static let hugeValueReadFailures = MetricDescriptor(
        "celery_redis_huge_value_read_failures", .counter,
        help: "Reads of a huge value (a queue tail or unacked message of 8 MiB or more, one per poll, read last) "
            + "that failed, typically past --redis.read-timeout while Redis copied it; the poll went on without it, "
            + "and that value is tried again after 30 s, doubling to 10 min.")
    /// `celery_redis_queue_unread_tail_messages`
    public static let queueUnreadTailMessages = MetricDescriptor(
        "celery_redis_queue_unread_tail_messages", .gauge, labels: ["queue", "reason"],
        help: "Messages next in line on the queue's priority lists whose ETA and publish time were not read within "
            + "the byte budget: scripting_unavailable (the read-only slicing script was refused), beyond_slice (not "
            + "in the head and tail slices) or deferred (awaits the poll's one huge read). Only non-zero series.")
    /// `celery_redis_discovered_queues`
    public static let discoveredQueues = MetricDescriptor(
        "celery_redis_discovered_queues", .gauge,
        help: "Queues discovered from kombu bindings and reported (configured queues not included); deleted queues "
            + "leave after a few discoveries without binding or messages.")
    /// `celery_redis_discovered_queues_limit`
    public static let discoveredQueuesLimit = MetricDescriptor(
        "celery_redis_discovered_queues_limit", .gauge,
        help: "The most discovered queues reported (--celery.max-queues).")
    /// `celery_redis_discovered_queues_ignored`
    public static let discoveredQueuesIgnored = MetricDescriptor(
        "celery_redis_discovered_queues_ignored", .gauge, labels: ["reason"],
        help: "Queue names found in bindings at the last discovery but not reported: over_limit (the table was full "
            + "of deeper or more recently seen queues: queues with messages waiting or in flight rank first; raise "
            + "--celery.max-queues) or name_too_long (over 1024 bytes).")
    /// `celery_redis_discovered_queues_evicted_total`
    public static let discoveredQueuesEvicted = MetricDescriptor(
        "celery_redis_discovered_queues_evicted", .counter,
        help: "Reported queues dropped to make room for deeper (more messages waiting or in flight) or more "
            + "recently seen ones while --celery.max-queues queues were reported.")
    /// `celery_redis_unacked_tag_cache_entries`
    public static let unackedTagCacheEntries = MetricDescriptor(
        "celery_redis_unacked_tag_cache_entries", .gauge,
        help: "Delivery tags of tasks in flight whose queue, task name and ETA are remembered (each unacked message "
            + "is read once; about 100 bytes a tag).")
    /// `celery_redis_unacked_tag_cache_limit`
    public static let unackedTagCacheLimit = MetricDescriptor(
        "celery_redis_unacked_tag_cache_limit", .gauge,
        help: "The most tasks in flight read from unacked_index (oldest first) and remembered each poll "
            + "(--celery.unacked-sample-limit); past it, see celery_redis_unacked_untracked_tasks.")
    /// `celery_redis_unacked_tag_cache_hits_total`
    public static let unackedTagCacheHits = MetricDescriptor(
        "celery_redis_unacked_tag_cache_hits", .counter,
        help: "Tasks in flight attributed from the tag cache without reading their message again.")
    /// `celery_redis_unacked_tag_cache_misses_total`
    public static let unackedTagCacheMisses = MetricDescriptor(
        "celery_redis_unacked_tag_cache_misses", .counter,
        help: "Tasks in flight whose message had to be read from the unacked hash (new tags, stale index entries "
            + "re-fetched by a worker, huge messages waiting for their turn).")
    /// `celery_redis_unacked_tag_cache_evictions_total`
    public static let unackedTagCacheEvictions = MetricDescriptor(
        "celery_redis_unacked_tag_cache_evictions", .counter,
        help: "Remembered delivery tags forgotten because they left unacked_index (acked, rejected, restored, or "
            + "the database was flushed).")
    /// `celery_redis_unacked_untracked_tasks`
    public static let unackedUntrackedTasks = MetricDescriptor(
        "celery_redis_unacked_untracked_tasks", .gauge,
        help: "Tasks in flight beyond --celery.unacked-sample-limit (the newest): counted in the totals but "
            + "attributed to no queue (part of celery_redis_unacked_unclassified_tasks).")
}

extension MetricCatalogue {
    /// Queues and in-flight tasks: the poll's reads of kombu's lists and unacked structures (MetricsBuilder).
    public static let queues: [MetricDescriptor] = [
        .queueLength, .queueOldestMessageAgeSeconds, .queueRedeliveredTailMessages, .unackedTasks,
        .unackedOldestAgeSeconds, .unackedStrandedTasks, .scheduledTasks, .etaBeyondVisibilityTasks,
        .unackedTasksByName, .scheduledTasksByName, .unackedUnclassifiedTasks, .unackedUnreadTasks,
        .unackedIndexStaleEntries, .hugeValueReadFailures, .queueUnreadTailMessages, .discoveredQueues,
        .discoveredQueuesLimit, .discoveredQueuesIgnored, .discoveredQueuesEvicted, .unackedTagCacheEntries,
        .unackedTagCacheLimit, .unackedTagCacheHits, .unackedTagCacheMisses, .unackedTagCacheEvictions,
        .unackedUntrackedTasks,
    ]
}
