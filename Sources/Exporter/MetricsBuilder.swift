import Celery
import Exposition

/// The exporter's own counters that outlive a single poll (owned by the poller thread).
public struct PollCounters: Sendable, Equatable {
    /// Failed polls per stage; every stage is present from the start so the series exist at 0.
    public var errorsByStage: [PollStage: UInt64] = Dictionary(uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Redis error replies (WRONGTYPE and the like) per stage, summed over polls.
    public var commandErrorsByStage: [PollStage: UInt64] = Dictionary(uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Unix time the last poll finished, whatever its outcome.
    public var lastPollTimestamp: Double?
    /// Unix time the last successful poll finished.
    public var lastSuccessTimestamp: Double?

    public init() {}
}

/// Turns one ``Snapshot`` (plus the exporter's own counters) into metric families: the single
/// place that knows every metric name, type and HELP text. Metric names are a public contract
/// (dashboards, rules): change them only with a CHANGELOG entry.
public enum MetricsBuilder {
    /// Metric families for one poll. On a failed poll only `up 0` and the exporter's own metrics
    /// are emitted: per-queue values are omitted rather than served stale.
    public static func families(for snapshot: Snapshot?, counters: PollCounters) -> [MetricFamily] {
        var families: [MetricFamily] = []
        let succeeded = snapshot?.succeeded ?? false
        families.append(MetricFamily(
            name: "celery_redis_up",
            help: "1 when the last poll of Redis succeeded, 0 when it failed (queue series are then omitted, not served stale).",
            type: .gauge, samples: [Sample(value: succeeded ? 1 : 0)]))

        if let snapshot, snapshot.succeeded {
            families += queueFamilies(snapshot)
            families += discoveredQueueFamilies(snapshot.discoveredQueueStats)
            families += taskBreakdownFamilies(snapshot)
            families += censusFamilies(snapshot)
            families += unackedTagCacheFamilies(snapshot)
            families.append(MetricFamily(
                name: "celery_redis_poll_phase_seconds",
                help: "Wall time of each phase of the last poll of Redis (omitted after a failed poll): discovery (0 when not due), queues (the LLEN/ZCARD main round), unacked (sizing and classification reads), fold_in (census counts and orphaned tasks), tails (oldest waiting messages, with the poll's one huge read). These sum to celery_redis_poll_duration_seconds. rules is not part of that sum: the alert rule evaluation that followed the previous poll.",
                type: .gauge, unit: "seconds",
                samples: PollPhase.allCases.map { Sample(labels: [Label("phase", $0.rawValue)], value: snapshot.phases[$0]) }))
        }

        if let snapshot {
            families.append(MetricFamily(
                name: "celery_redis_poll_duration_seconds",
                help: "Wall time of the last poll of Redis. Metrics are sampled once per poll interval and cached; a scrape never queries Redis.",
                type: .gauge, unit: "seconds", samples: [Sample(value: snapshot.pollDuration)]))
        }
        if let last = counters.lastPollTimestamp {
            families.append(MetricFamily(
                name: "celery_redis_last_poll_timestamp_seconds",
                help: "Unix time the last poll of Redis finished, successful or not. All other values are as of this poll (cached between polls).",
                type: .gauge, unit: "seconds", samples: [Sample(value: last)]))
        }
        if let last = counters.lastSuccessTimestamp {
            families.append(MetricFamily(
                name: "celery_redis_last_successful_poll_timestamp_seconds",
                help: "Unix time the last successful poll of Redis finished.",
                type: .gauge, unit: "seconds", samples: [Sample(value: last)]))
        }
        families.append(MetricFamily(
            name: "celery_redis_poll_errors",
            help: "Failed polls of Redis, by the stage that failed (connect, discovery, queues, unacked).",
            type: .counter,
            // The census never fails a poll (its problems are command errors), so it has no series here.
            samples: PollStage.allCases.filter { $0 != .census }.map { Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.errorsByStage[$0] ?? 0)) }))
        families.append(MetricFamily(
            name: "celery_redis_command_errors",
            help: "Redis error replies to individual commands (e.g. WRONGTYPE: a key named like a queue holds another type) by stage; the poll itself still succeeds and the key reads 0. For stage census, also census round trips that failed (the pass resumes on the next poll).",
            type: .counter,
            samples: PollStage.allCases.filter { $0 != .connect }.map { Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.commandErrorsByStage[$0] ?? 0)) }))
        families.append(MetricFamily(
            name: "celery_redis_label_values_truncated",
            help: "Distinct names from Redis (queue, worker, task) longer than \(LabelValueLimit.maxBytes) bytes, reported under a shortened label value: the first bytes, '\(LabelValueLimit.marker)' and 8 hex digits of a hash of the whole name.",
            type: .counter,
            samples: LabelValueLimit.Kind.allCases.map { Sample(labels: [Label("kind", $0.rawValue)], value: Double(LabelValueLimit.truncations.count($0))) }))
        families.append(MetricFamily(
            name: "celery_redis_build_info",
            help: "Always 1; the labels tell which celery-redis-exporter build is running: version, git revision (\"unknown\" when built without git) and the Swift compiler's version.",
            type: .gauge,
            samples: [Sample(labels: [
                Label("revision", ExporterVersion.revision), Label("swift_version", ExporterVersion.swiftVersion),
                Label("version", ExporterVersion.version),
            ], value: 1)]))
        return families
    }

    /// Per-task-name breakdowns, present only when the task label is enabled (CeleryConfiguration.taskNameLimit > 0).
    private static func taskBreakdownFamilies(_ snapshot: Snapshot) -> [MetricFamily] {
        func samples(_ values: (QueueSnapshot) -> [String: Int]) -> [Sample] {
            snapshot.queues.flatMap { queue in
                values(queue).sorted { $0.key < $1.key }.map {
                    Sample(labels: [Label("queue", LabelValueLimit.capped(queue.name)), Label("task", $0.key)], value: Double($0.value))
                }
            }
        }
        var families: [MetricFamily] = []
        let unacked = samples(\.unackedByTask)
        if !unacked.isEmpty {
            families.append(MetricFamily(
                name: "celery_redis_unacked_tasks_by_name",
                help: "Unacknowledged tasks of the unacked sample by queue and task name (names beyond the configured limit are counted under task=\"other\").",
                type: .gauge, samples: unacked))
        }
        let scheduled = samples(\.scheduledByTask)
        if !scheduled.isEmpty {
            families.append(MetricFamily(
                name: "celery_redis_scheduled_tasks_by_name",
                help: "Scheduled (future ETA) unacknowledged tasks by queue and task name (names beyond the configured limit are counted under task=\"other\").",
                type: .gauge, samples: scheduled))
        }
        return families
    }

    /// Result-backend census families: present once the first full pass has completed (never partial counts).
    private static func censusFamilies(_ snapshot: Snapshot) -> [MetricFamily] {
        var families: [MetricFamily] = []
        if let census = snapshot.census {
            families.append(MetricFamily(
                name: "celery_redis_task_meta_keys",
                help: "celery-task-meta-* result keys by status (other = custom states, unknown = not a Celery meta, unclassified = larger than 4 KiB with no top-level status in its first 4 KiB, the most the census reads of one value): the last complete census pass, kept current by live result writes and predicted TTL expiries; forget() deletions show only after the next pass. Keys live for result_expires after the last write; STARTED exists only with task_track_started.",
                type: .gauge,
                samples: TaskMetaState.allCases.map { Sample(labels: [Label("state", $0.rawValue)], value: Double(census.metaKeys[$0] ?? 0)) }))
            families.append(MetricFamily(
                name: "celery_redis_task_meta_worker_lost_keys",
                help: "FAILURE result keys whose exception is WorkerLostError (a pool process died mid-task), counted like task_meta_keys; also counted in task_meta_keys{state=\"FAILURE\"}.",
                type: .gauge, samples: [Sample(value: Double(census.workerLostKeys))]))
            families.append(MetricFamily(
                name: "celery_redis_started_task_oldest_age_seconds",
                help: "Seconds since the oldest task with a STARTED result key started (0 when none): the larger of time since first seen and now - (result_expires - PTTL). Needs task_track_started.",
                type: .gauge, unit: "seconds", samples: [Sample(value: census.startedOldestAge)]))
            families.append(MetricFamily(
                name: "celery_redis_census_duration_seconds",
                help: "Wall time of the last complete census reconciliation pass over celery-task-meta-* keys (a full SCAN on the census's own connection, paced evenly; it does not delay polls).",
                type: .gauge, unit: "seconds", samples: [Sample(value: census.passDuration)]))
            families.append(MetricFamily(
                name: "celery_redis_census_last_complete_timestamp_seconds",
                help: "Unix time the last complete census reconciliation pass ended (it catches forget() deletions and writes missed while the event subscriber was down).",
                type: .gauge, unit: "seconds", samples: [Sample(value: census.lastCompleteTimestamp)]))
            families.append(MetricFamily(
                name: "celery_redis_census_updated_timestamp_seconds",
                help: "Unix time as of which task_meta_keys includes every change the exporter can observe: about now while the Pub/Sub result stream has been up since before the last complete pass began (live writes and predicted expiries are applied every second); otherwise the end of the last complete pass. time() minus this is the age of the counts.",
                type: .gauge, unit: "seconds", samples: [Sample(value: census.updatedTimestamp)]))
        }
        if let orphaned = snapshot.orphanedStartedTasks {
            families.append(MetricFamily(
                name: "celery_redis_orphaned_started_tasks",
                help: "Tasks whose worker is gone: STARTED result keys whose hostname is not a live worker, plus stranded unacked tasks while no worker is alive to restore them. Present only when worker liveness is known.",
                type: .gauge, samples: [Sample(value: Double(orphaned))]))
        }
        return families
    }

    /// The unacked tag cache (each delivery tag's queue, task and ETA read once) and the census's
    /// pass progress.
    private static func unackedTagCacheFamilies(_ snapshot: Snapshot) -> [MetricFamily] {
        let cache = snapshot.unackedTagCache
        var families = [
            MetricFamily(
                name: "celery_redis_unacked_tag_cache_entries",
                help: "Delivery tags of tasks in flight whose queue, task name and ETA are remembered (each unacked message is read once; about 100 bytes a tag).",
                type: .gauge, samples: [Sample(value: Double(cache.entries))]),
            MetricFamily(
                name: "celery_redis_unacked_tag_cache_limit",
                help: "The most tasks in flight read from unacked_index (oldest first) and remembered each poll (--celery.unacked-sample-limit); past it, see celery_redis_unacked_untracked_tasks.",
                type: .gauge, samples: [Sample(value: Double(cache.limit))]),
            MetricFamily(
                name: "celery_redis_unacked_tag_cache_hits",
                help: "Tasks in flight attributed from the tag cache without reading their message again.",
                type: .counter, samples: [Sample(value: Double(cache.hits))]),
            MetricFamily(
                name: "celery_redis_unacked_tag_cache_misses",
                help: "Tasks in flight whose message had to be read from the unacked hash (new tags, stale index entries re-fetched by a worker, huge messages waiting for their turn).",
                type: .counter, samples: [Sample(value: Double(cache.misses))]),
            MetricFamily(
                name: "celery_redis_unacked_tag_cache_evictions",
                help: "Remembered delivery tags forgotten because they left unacked_index (acked, rejected, restored, or the database was flushed).",
                type: .counter, samples: [Sample(value: Double(cache.evictions))]),
            MetricFamily(
                name: "celery_redis_unacked_untracked_tasks",
                help: "Tasks in flight beyond --celery.unacked-sample-limit (the newest): counted in the totals but attributed to no queue (part of celery_redis_unacked_unclassified_tasks). Raise the limit to attribute them.",
                type: .gauge, samples: [Sample(value: Double(cache.untracked))]),
        ]
        if let progress = snapshot.censusProgress {
            families += [
                MetricFamily(
                    name: "celery_redis_census_pass_keys_walked",
                    help: "Keys the running census pass has walked so far (the last pass's total between passes); the result counts appear when the first pass completes.",
                    type: .gauge, samples: [Sample(value: Double(progress.walked))]),
                MetricFamily(
                    name: "celery_redis_census_pass_keys_expected",
                    help: "Keys in the database (DBSIZE) when the running census pass started: what celery_redis_census_pass_keys_walked counts towards.",
                    type: .gauge, samples: [Sample(value: Double(progress.expected))]),
            ]
        }
        return families
    }

    /// The discovered-queue table: its size against --celery.max-queues and what it dropped.
    private static func discoveredQueueFamilies(_ stats: DiscoveredQueueStats) -> [MetricFamily] {
        [
            MetricFamily(
                name: "celery_redis_discovered_queues",
                help: "Queues discovered from kombu bindings and reported (configured queues not included); deleted queues leave after a few discoveries without binding or messages.",
                type: .gauge, samples: [Sample(value: Double(stats.tracked))]),
            MetricFamily(
                name: "celery_redis_discovered_queues_limit",
                help: "The most discovered queues reported (--celery.max-queues).",
                type: .gauge, samples: [Sample(value: Double(stats.limit))]),
            MetricFamily(
                name: "celery_redis_discovered_queues_ignored",
                help: "Queue names found in bindings at the last discovery but not reported: over_limit (the table was full of deeper or more recently seen queues: queues with messages waiting or in flight rank first; raise --celery.max-queues) or name_too_long (over 1024 bytes).",
                type: .gauge,
                samples: [
                    Sample(labels: [Label("reason", "over_limit")], value: Double(stats.ignoredOverLimit)),
                    Sample(labels: [Label("reason", "name_too_long")], value: Double(stats.ignoredNameTooLong)),
                ]),
            MetricFamily(
                name: "celery_redis_discovered_queues_evicted",
                help: "Reported queues dropped to make room for deeper (more messages waiting or in flight) or more recently seen ones while --celery.max-queues queues were reported.",
                type: .counter, samples: [Sample(value: Double(stats.evicted))]),
        ]
    }

    private static func queueFamilies(_ snapshot: Snapshot) -> [MetricFamily] {
        let queues = snapshot.queues
        func perQueue(_ value: (QueueSnapshot) -> Double) -> [Sample] {
            queues.map { Sample(labels: [Label("queue", LabelValueLimit.capped($0.name))], value: value($0)) }
        }
        return [
            MetricFamily(
                name: "celery_redis_queue_length",
                help: "Messages waiting in the queue's Redis lists, all priority levels summed (0 when Redis has deleted the empty list).",
                type: .gauge, samples: perQueue { Double($0.length) }),
            MetricFamily(
                name: "celery_redis_unacked_tasks",
                help: "Tasks delivered to workers and not yet acknowledged (kombu's unacked hash): prefetched, ETA/countdown-held, and running under acks_late.",
                type: .gauge, samples: perQueue { Double($0.unacked) }),
            MetricFamily(
                name: "celery_redis_unacked_oldest_age_seconds",
                help: "Seconds since a worker fetched the oldest unacknowledged task of the queue (0 when there is none).",
                type: .gauge, unit: "seconds", samples: perQueue { $0.unackedOldestAge ?? 0 }),
            MetricFamily(
                name: "celery_redis_unacked_stranded_tasks",
                help: "Unacknowledged tasks fetched longer ago than the visibility timeout and not yet restored: usually their worker died and no live worker has swept them back (a live worker sweeps about every 100 s); also countdown/ETA tasks held longer than the timeout (see eta_beyond_visibility_tasks).",
                type: .gauge, samples: perQueue { Double($0.stranded) }),
            MetricFamily(
                name: "celery_redis_scheduled_tasks",
                help: "Unacknowledged tasks whose ETA/countdown is still in the future: held by workers until due (they bypass the prefetch limit).",
                type: .gauge, samples: perQueue { Double($0.scheduled) }),
            MetricFamily(
                name: "celery_redis_eta_beyond_visibility_tasks",
                help: "Unacknowledged tasks whose ETA is more than the visibility timeout after the worker fetched them: kombu restores them before they are due, so Celery will run them more than once.",
                type: .gauge, samples: perQueue { Double($0.etaBeyondVisibility) }),
            MetricFamily(
                name: "celery_redis_queue_oldest_message_age_seconds",
                help: "Seconds the oldest due message of the queue has waited (over the tails of all priority lists; future-ETA messages skipped; 0 when none). Exact when the message carries a sent_at header or expires; otherwise time since the exporter first saw it next in line, a lower bound (it may have waited behind others, or before the exporter started).",
                type: .gauge, unit: "seconds", samples: perQueue { $0.oldestMessageAge ?? 0 }),
            MetricFamily(
                name: "celery_redis_queue_redelivered_tail_messages",
                help: "Messages next in line on the queue's priority lists (at most one per list) that kombu restored with redelivered=true: a worker died or a countdown exceeded the visibility timeout; their wait started earlier than it looks.",
                type: .gauge, samples: perQueue { Double($0.redeliveredTailMessages) }),
            MetricFamily(
                name: "celery_redis_unacked_unclassified_tasks",
                help: "Unacknowledged tasks not attributed to a queue in this poll (beyond the sample limit, not yet decoded, or undecodable); with the per-queue series they sum to all unacked tasks (stale unacked_index entries excluded).",
                type: .gauge, samples: [Sample(value: Double(snapshot.unackedUnclassified))]),
            MetricFamily(
                name: "celery_redis_unacked_index_stale_entries",
                help: "Members of the oldest-first unacked_index sample with no entry in the unacked hash: stale index entries left by an interrupted ack or restore (a live worker's restore sweep drops them once older than the visibility timeout), not tasks in flight, so they are left out of every unacked, stranded and orphaned count. Persistently non-zero with live workers means the index is not being cleaned.",
                type: .gauge, samples: [Sample(value: Double(snapshot.unackedIndexStale))]),
            MetricFamily(
                name: "celery_redis_unacked_unread_tasks",
                help: "Sampled unacknowledged tasks whose message is larger than the whole-value read budget and whose queue could not be read within the budget: reason=scripting_unavailable when Redis refused the read-only slicing script (allow SCRIPT LOAD and EVALSHA_RO), beyond_slice when the head and tail slices did not hold it, deferred when it is huge (8 MiB or more) and waits for its turn (one huge value is read per poll, at its end). Part of celery_redis_unacked_unclassified_tasks.",
                type: .gauge,
                samples: UnreadReason.allCases.map {
                    Sample(labels: [Label("reason", $0.rawValue)], value: Double(snapshot.unackedUnread[$0] ?? 0))
                }),
            MetricFamily(
                name: "celery_redis_huge_value_read_failures",
                help: "Reads of a huge value (a queue tail or unacked message of 8 MiB or more, one per poll, read last) that failed, typically past --redis.read-timeout while Redis copied it; the poll went on without it, and that value is tried again after 30 s, doubling to 10 min.",
                type: .counter, samples: [Sample(value: Double(snapshot.hugeReadFailures))]),
            MetricFamily(
                name: "celery_redis_queue_unread_tail_messages",
                help: "Messages next in line on the queue's priority lists (at most one per list) whose ETA and publish time could not be read within the byte budget: reason=scripting_unavailable when Redis refused the read-only slicing script (allow SCRIPT LOAD and EVALSHA_RO; no tail is read then, whatever its size, and the queue has no oldest message age), beyond_slice when a message over the whole-value budget did not hold them in its head and tail slices (aged from first seen), deferred when the list may hold a huge message (MEMORY USAGE) and waits for its turn (at most one huge tail is read per poll; not aged this poll). Only non-zero series are exported.",
                type: .gauge,
                samples: queues.flatMap { queue in
                    UnreadReason.allCases.compactMap { reason in
                        guard let n = queue.unreadTailMessages[reason], n > 0 else { return nil }
                        return Sample(labels: [Label("queue", queue.name), Label("reason", reason.rawValue)], value: Double(n))
                    }
                }),
        ]
    }
}
