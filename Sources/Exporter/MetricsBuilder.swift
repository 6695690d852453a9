import Celery
import Exposition

/// Turns one ``Snapshot`` (plus the exporter's own counters) into metric families. Every family's
/// name, type, unit, labels and HELP text come from its descriptor in ``MetricCatalogue``.
public enum MetricsBuilder {
    /// Metric families for one poll (nil: none yet). On a failed poll only `up 0`, the exporter's
    /// own metrics and the event reading's families are emitted: per-queue values are omitted
    /// rather than served stale. The event reading's families come last, rendered from the same
    /// value the orphan count was computed from (``Snapshot/events``).
    public static func families(for snapshot: Snapshot?, counters: PollCounters) -> [MetricFamily] {
        var families: [MetricFamily] = []
        let sampled = snapshot?.sampled
        families.append(MetricFamily(.up, value: sampled == nil ? 0 : 1))

        if let sampled {
            families += queueFamilies(sampled)
            families += discoveredQueueFamilies(sampled.discoveredQueueStats)
            families += taskBreakdownFamilies(sampled)
            families += backlogFamilies(sampled)
            families += censusFamilies(sampled)
            families += unackedTagCacheFamilies(sampled)
            families.append(
                MetricFamily(
                    .pollPhaseSeconds,
                    samples: PollPhase.allCases.map {
                        Sample(labels: [Label("phase", $0.rawValue)], value: sampled.phases[$0])
                    }))
        }

        if let snapshot {
            families.append(MetricFamily(.pollDurationSeconds, value: snapshot.pollDuration))
        }
        if let last = counters.lastPollTimestamp {
            families.append(MetricFamily(.lastPollTimestampSeconds, value: last))
        }
        if let last = counters.lastSuccessTimestamp {
            families.append(MetricFamily(.lastSuccessfulPollTimestampSeconds, value: last))
        }
        // The census never fails a poll (its problems are command errors), so it has no series here.
        families.append(
            MetricFamily(
                .pollErrors,
                samples: PollStage.allCases.filter { $0 != .census }.map {
                    Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.errorsByStage[$0] ?? 0))
                }))
        families.append(
            MetricFamily(
                .commandErrors,
                samples: PollStage.allCases.filter { $0 != .connect }.map {
                    Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.commandErrorsByStage[$0] ?? 0))
                }))
        families.append(
            MetricFamily(
                .labelValuesTruncated,
                samples: LabelValueLimit.Kind.allCases.map {
                    Sample(labels: [Label("kind", $0.rawValue)], value: Double(LabelValueLimit.truncations.count($0)))
                }))
        families.append(
            MetricFamily(
                .buildInfo,
                samples: [
                    Sample(
                        labels: [
                            Label("revision", ExporterVersion.revision),
                            Label("swift_version", ExporterVersion.swiftVersion),
                            Label("version", ExporterVersion.version),
                        ], value: 1)
                ]))
        families += snapshot?.events?.families() ?? []
        return families
    }

    /// Per-task-name breakdowns, present only when the task label is enabled (CeleryConfiguration.taskNameLimit > 0).
    private static func taskBreakdownFamilies(_ snapshot: SampledState) -> [MetricFamily] {
        func samples(_ values: (QueueSnapshot) -> [String: Int]) -> [Sample] {
            snapshot.queues.flatMap { queue in
                values(queue).sorted { $0.key < $1.key }.map {
                    Sample(
                        labels: [Label("queue", LabelValueLimit.capped(queue.name)), Label("task", $0.key)],
                        value: Double($0.value))
                }
            }
        }
        var families: [MetricFamily] = []
        let unacked = samples(\.unackedByTask)
        if !unacked.isEmpty {
            families.append(MetricFamily(.unackedTasksByName, samples: unacked))
        }
        let scheduled = samples(\.scheduledByTask)
        if !scheduled.isEmpty {
            families.append(MetricFamily(.scheduledTasksByName, samples: scheduled))
        }
        return families
    }

    /// Result-backend census families: present once the first full pass has completed (never partial counts).
    private static func censusFamilies(_ snapshot: SampledState) -> [MetricFamily] {
        var families: [MetricFamily] = []
        if let census = snapshot.census {
            families.append(
                MetricFamily(
                    .taskMetaKeys,
                    samples: TaskMetaState.allCases.map {
                        Sample(labels: [Label("state", $0.rawValue)], value: Double(census.metaKeys[$0] ?? 0))
                    }))
            families.append(MetricFamily(.taskMetaWorkerLostKeys, value: Double(census.workerLostKeys)))
            families.append(MetricFamily(.startedTaskOldestAgeSeconds, value: census.startedOldestAge))
            families.append(MetricFamily(.censusDurationSeconds, value: census.passDuration))
            families.append(MetricFamily(.censusLastCompleteTimestampSeconds, value: census.lastCompleteTimestamp))
            families.append(MetricFamily(.censusUpdatedTimestampSeconds, value: census.updatedTimestamp))
            families.append(
                MetricFamily(
                    .censusEntriesRefused,
                    samples: [
                        Sample(labels: [Label("reason", "table_full")], value: Double(census.liveWritesRefused)),
                        Sample(labels: [Label("reason", "started_full")], value: Double(census.startedRefused)),
                    ]))
        }
        if let orphaned = snapshot.orphanedStartedTasks {
            families.append(MetricFamily(.orphanedStartedTasks, value: Double(orphaned)))
        }
        return families
    }

    /// The unacked tag cache (each delivery tag's queue, task and ETA read once) and the census's
    /// pass progress.
    private static func unackedTagCacheFamilies(_ sampled: SampledState) -> [MetricFamily] {
        let cache = sampled.unackedTagCache
        var families = [
            MetricFamily(.unackedTagCacheEntries, value: Double(cache.entries)),
            MetricFamily(.unackedTagCacheLimit, value: Double(cache.limit)),
            MetricFamily(.unackedTagCacheHits, value: Double(cache.hits)),
            MetricFamily(.unackedTagCacheMisses, value: Double(cache.misses)),
            MetricFamily(.unackedTagCacheEvictions, value: Double(cache.evictions)),
            MetricFamily(.unackedUntrackedTasks, value: Double(cache.untracked)),
        ]
        if let progress = sampled.censusProgress {
            families.append(MetricFamily(.censusPassKeysWalked, value: Double(progress.walked)))
            families.append(MetricFamily(.censusPassKeysExpected, value: Double(progress.expected)))
        }
        return families
    }

    /// The discovered-queue table: its size against --celery.max-queues and what it dropped.
    private static func discoveredQueueFamilies(_ stats: DiscoveredQueueStats) -> [MetricFamily] {
        [
            MetricFamily(.discoveredQueues, value: Double(stats.tracked)),
            MetricFamily(.discoveredQueuesLimit, value: Double(stats.limit)),
            MetricFamily(
                .discoveredQueuesIgnored,
                samples: [
                    Sample(labels: [Label("reason", "over_limit")], value: Double(stats.ignoredOverLimit)),
                    Sample(labels: [Label("reason", "name_too_long")], value: Double(stats.ignoredNameTooLong)),
                ]),
            MetricFamily(.discoveredQueuesEvicted, value: Double(stats.evicted)),
        ]
    }

    private static func queueFamilies(_ snapshot: SampledState) -> [MetricFamily] {
        let queues = snapshot.queues
        func perQueue(_ value: (QueueSnapshot) -> Double) -> [Sample] {
            queues.map { Sample(labels: [Label("queue", LabelValueLimit.capped($0.name))], value: value($0)) }
        }
        return [
            MetricFamily(.queueLength, samples: perQueue { Double($0.length) }),
            MetricFamily(.unackedTasks, samples: perQueue { Double($0.unacked) }),
            MetricFamily(.unackedOldestAgeSeconds, samples: perQueue { $0.unackedOldestAge ?? 0 }),
            MetricFamily(.unackedStrandedTasks, samples: perQueue { Double($0.stranded) }),
            MetricFamily(.scheduledTasks, samples: perQueue { Double($0.scheduled) }),
            MetricFamily(.etaBeyondVisibilityTasks, samples: perQueue { Double($0.etaBeyondVisibility) }),
            MetricFamily(.queueOldestMessageAgeSeconds, samples: perQueue { $0.oldestMessageAge ?? 0 }),
            MetricFamily(.queueRedeliveredTailMessages, samples: perQueue { Double($0.redeliveredTailMessages) }),
            MetricFamily(.unackedUnclassifiedTasks, value: Double(snapshot.unackedUnclassified)),
            MetricFamily(.unackedIndexStaleEntries, value: Double(snapshot.unackedIndexStale)),
            MetricFamily(
                .unackedUnreadTasks,
                samples: UnreadReason.allCases.map {
                    Sample(labels: [Label("reason", $0.rawValue)], value: Double(snapshot.unackedUnread[$0] ?? 0))
                }),
            MetricFamily(.hugeValueReadFailures, value: Double(snapshot.hugeReadFailures)),
            MetricFamily(
                .queueUnreadTailMessages,
                samples: queues.flatMap { queue in
                    UnreadReason.allCases.compactMap { reason in
                        guard let n = queue.unreadTailMessages[reason], n > 0 else { return nil }
                        return Sample(
                            labels: [Label("queue", queue.name), Label("reason", reason.rawValue)], value: Double(n))
                    }
                }),
        ]
    }
}
