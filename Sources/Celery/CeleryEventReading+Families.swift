import Exposition

extension CeleryEventReading {
    /// The Pub/Sub families of this reading. Every family is always present (with no samples when
    /// nothing was seen) so dashboards and `absent()` alerts see stable names; counters by state
    /// start at the known states' zero.
    public func families() -> [MetricFamily] {
        resultFamilies() + outcomeFamilies() + workerFamilies() + subscriberFamilies()
    }

    /// `tasks_total`, `task_failures_total`, `task_queue_wait_seconds` and the task table's own
    /// families. Without the task label the outcome states start at zero so rate() works from the
    /// first task.
    private func outcomeFamilies() -> [MetricFamily] {
        var counts = outcomes
        if !hasTaskLabel {
            for state in ResultEventCounter.outcomeStates {
                counts[ResultEventCounter.ResultKey(state: state, task: nil), default: 0] += 0
            }
        }
        let outcomeSamples = counts.sorted { ($0.key.state, $0.key.task ?? "") < ($1.key.state, $1.key.task ?? "") }
            .map { Sample(labels: [Label("state", $0.key.state)] + taskLabel($0.key.task), value: Double($0.value)) }
        let failureSamples = failures.sorted {
            ($0.key.exception, $0.key.task ?? "") < ($1.key.exception, $1.key.task ?? "")
        }
        .map {
            Sample(labels: [Label("exception", $0.key.exception)] + taskLabel($0.key.task), value: Double($0.value))
        }
        var waits = queueWaits
        if !hasTaskLabel && waits[nil] == nil { waits[nil] = RuntimeHistogram(bounds: runtimeBuckets) }
        let waitSeries = waits.sorted { ($0.key ?? "") < ($1.key ?? "") }
            .map { $0.value.series(labels: taskLabel($0.key)) }
        return [
            MetricFamily(.tasks, samples: outcomeSamples),
            MetricFamily(.taskFailures, samples: failureSamples),
            .histogram(.taskQueueWaitSeconds, series: waitSeries),
            MetricFamily(.taskTableEntries, value: Double(trackedTasks)),
            MetricFamily(
                .taskTableEvicted,
                samples: evictedTasks.sorted { $0.key < $1.key }.map {
                    Sample(labels: [Label("reason", $0.key)], value: Double($0.value))
                }),
            MetricFamily(
                .taskEventsDiscarded,
                samples: TaskEventBatch.Discard.allCases.map {
                    Sample(labels: [Label("reason", $0.rawValue)], value: Double(discardedTaskEvents[$0] ?? 0))
                }),
        ]
    }

    private func resultFamilies() -> [MetricFamily] {
        let byTask = hasTaskLabel
        var counts = results
        if !byTask {
            // Zero-initialise the common states so rate() works from the first write.
            for state in ["STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"] {
                counts[ResultEventCounter.ResultKey(state: state, task: nil), default: 0] += 0
            }
        }
        let resultSamples = counts.sorted { ($0.key.state, $0.key.task ?? "") < ($1.key.state, $1.key.task ?? "") }
            .map { key, value in
                Sample(labels: [Label("state", key.state)] + taskLabel(key.task), value: Double(value))
            }
        var lost = workerLost
        if !byTask { lost[nil, default: 0] += 0 }
        let lostSamples = lost.sorted { ($0.key ?? "") < ($1.key ?? "") }
            .map { Sample(labels: taskLabel($0.key), value: Double($0.value)) }
        var runtimes = self.runtimes
        if !byTask && runtimes[nil] == nil {
            runtimes[nil] = RuntimeHistogram(bounds: runtimeBuckets)
        }
        let runtimeSeries = runtimes.sorted { ($0.key ?? "") < ($1.key ?? "") }
            .map { $0.value.series(labels: taskLabel($0.key)) }
        var families = [
            MetricFamily(.taskResults, samples: resultSamples),
            .histogram(.taskRuntimeSeconds, series: runtimeSeries),
            MetricFamily(.workerLostTasks, samples: lostSamples),
            MetricFamily(.taskRuntimePendingTasks, value: Double(runningTasks)),
            MetricFamily(.taskRuntimeEvictedTasks, value: Double(evictedRunningTasks)),
        ]
        if byTask {
            families.append(
                MetricFamily(.taskNamesEvicted, value: Double(taskNamesEvicted)))
        }
        // The exception breakdown is always on; the task one only with the task label.
        let refusedKinds: [LabelValueLimit.Kind] = byTask ? [.exception, .task] : [.exception]
        families.append(
            MetricFamily(
                .taskNamesRefused,
                samples: refusedKinds.map {
                    Sample(labels: [Label("kind", $0.rawValue)], value: Double(namesRefused[$0] ?? 0))
                }))
        return families
    }

    private func workerFamilies() -> [MetricFamily] {
        let up = workers.map { Sample(labels: [Label("worker", $0.hostname)], value: $0.isUp ? 1 : 0) }
        let active = workers.map { Sample(labels: [Label("worker", $0.hostname)], value: Double($0.active)) }
        let processed = workers.map {
            Sample(labels: [Label("worker", $0.hostname)], value: Double($0.processed))
        }
        return [
            MetricFamily(.workerUp, samples: up),
            MetricFamily(.workerTasksActive, samples: active),
            MetricFamily(.workerProcessedTasks, samples: processed),
            MetricFamily(.workers, value: Double(workers.filter(\.isUp).count)),
            MetricFamily(.workersEvicted, value: Double(workersEvicted)),
            MetricFamily(.eventHeartbeatFrequencyClamped, value: Double(frequenciesClamped)),
            MetricFamily(.workerRestarts, value: Double(restarts)),
        ]
    }

    private func subscriberFamilies() -> [MetricFamily] {
        let kinds = CeleryEventMonitor.EventSource.allCases
        return [
            MetricFamily(.eventSubscriberUp, value: isSubscribed ? 1 : 0),
            MetricFamily(.eventSubscriberReconnects, value: Double(reconnects)),
            MetricFamily(
                .eventMessages,
                samples: kinds.map {
                    Sample(labels: [Label("kind", $0.rawValue)], value: Double(messages[$0] ?? 0))
                }),
            MetricFamily(
                .eventDecodeErrors,
                samples: kinds.map {
                    Sample(labels: [Label("kind", $0.rawValue)], value: Double(decodeErrors[$0] ?? 0))
                }),
        ]
    }

    private func taskLabel(_ task: String?) -> [Label] {
        task.map { [Label("task", $0)] } ?? []
    }
}
