import Exposition

extension CeleryEventMonitor {
    /// A copy of the monitor's state taken under its lock, rendered outside it.
    struct Rendering {
        var workers: [WorkerRegistry.WorkerStatus]
        var results: [ResultEventCounter.ResultKey: UInt64]
        var workerLost: [String?: UInt64]
        var runtimes: [String?: RuntimeHistogram]
        var hasTaskLabel: Bool
        var taskNamesEvicted: UInt64
        var runtimeBuckets: [Double]
        var runningTasks: Int
        var evictedRunningTasks: UInt64
        var messages: [EventSource: UInt64]
        var decodeErrors: [EventSource: UInt64]
        var isSubscribed: Bool
        var reconnects: Int
        var workersEvicted: UInt64
        var frequenciesClamped: UInt64
        var restarts: UInt64
        var frequencyRange: ClosedRange<Double>
        var missedHeartbeats: Double

        /// Every family, always present (with no samples when nothing was seen) so dashboards and
        /// `absent()` alerts see stable names; counters by state start at the known states' zero.
        func families() -> [MetricFamily] {
            resultFamilies() + workerFamilies() + subscriberFamilies()
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
                MetricFamily(
                    name: "celery_redis_task_results",
                    help: "Result state writes received live on the celery-task-meta-* Pub/Sub channels since the "
                        + "exporter started, by state (STARTED needs task_track_started; unknown states are 'other').",
                    type: .counter, samples: resultSamples),
                .histogram(
                    name: "celery_redis_task_runtime_seconds",
                    help: "Seconds between receiving a task's STARTED write and its SUCCESS or FAILURE write "
                        + "(needs task_track_started; counted once per task id).",
                    unit: "seconds", series: runtimeSeries),
                MetricFamily(
                    name: "celery_redis_worker_lost_tasks",
                    help: "FAILURE results with exc_type WorkerLostError received live: a pool process died "
                        + "mid-task (acks_late without task_reject_on_worker_lost).",
                    type: .counter, samples: lostSamples),
                MetricFamily(
                    name: "celery_redis_task_runtime_pending_tasks",
                    help: "Tasks whose STARTED write was received and whose final write has not been yet "
                        + "(running, or lost with their worker until evicted).",
                    type: .gauge, samples: [Sample(value: Double(runningTasks))]),
                MetricFamily(
                    name: "celery_redis_task_runtime_evicted_tasks",
                    help: "STARTED writes dropped from the runtime pairing table before their final write "
                        + "(older than the tracking age, or the table was full).",
                    type: .counter, samples: [Sample(value: Double(evictedRunningTasks))]),
            ]
            if byTask {
                families.append(
                    MetricFamily(
                        name: "celery_redis_task_names_evicted",
                        help: "Task names that gave up their task label to a newer name once --celery.task-name-limit "
                            + "names were in use (names unseen for an hour give way; their result series are dropped).",
                        type: .counter, samples: [Sample(value: Double(taskNamesEvicted))]))
            }
            return families
        }

        private func workerFamilies() -> [MetricFamily] {
            let window = Rendering.plainNumber(missedHeartbeats)
            let up = workers.map { Sample(labels: [Label("worker", $0.hostname)], value: $0.isUp ? 1 : 0) }
            let active = workers.map { Sample(labels: [Label("worker", $0.hostname)], value: Double($0.active)) }
            let processed = workers.map {
                Sample(labels: [Label("worker", $0.hostname)], value: Double($0.processed))
            }
            return [
                MetricFamily(
                    name: "celery_redis_worker_up",
                    help:
                        "1 while the worker's heartbeats arrive (within \(window) heartbeat periods, no worker-offline "
                        + "since), 0 once it stopped or went silent; dropped after the worker forget time.",
                    type: .gauge, samples: up),
                MetricFamily(
                    name: "celery_redis_worker_tasks_active",
                    help: "Tasks executing on the worker per its last heartbeat (prefetched tasks not included); "
                        + "0 when the worker is down.",
                    type: .gauge, samples: active),
                MetricFamily(
                    name: "celery_redis_worker_processed_tasks",
                    help: "Tasks the worker has processed since it started, per its last heartbeat "
                        + "(resets when the worker restarts).",
                    type: .counter, samples: processed),
                MetricFamily(
                    name: "celery_redis_workers",
                    help: "Workers up: heartbeats received within \(window) heartbeat periods.",
                    type: .gauge, samples: [Sample(value: Double(workers.filter(\.isUp).count))]),
                MetricFamily(
                    name: "celery_redis_workers_evicted",
                    help: "Workers forgotten to make room for a new host name while --celery.max-workers workers were "
                        + "tracked (the one down longest, else the one silent longest).",
                    type: .counter, samples: [Sample(value: Double(workersEvicted))]),
                MetricFamily(
                    name: "celery_redis_event_heartbeat_frequency_clamped",
                    help: "Worker events whose announced heartbeat period (freq) was outside "
                        + "\(Rendering.plainNumber(frequencyRange.lowerBound)) s to "
                        + "\(Rendering.plainNumber(frequencyRange.upperBound)) s "
                        + "and was clamped into that range.",
                    type: .counter, samples: [Sample(value: Double(frequenciesClamped))]),
                MetricFamily(
                    name: "celery_redis_worker_restarts",
                    help: "Restarts seen of a worker under a host name it already had (new pid, Lamport clock gone "
                        + "backwards, or worker-online after worker-offline); STARTED tasks of the process before count as orphaned.",
                    type: .counter, samples: [Sample(value: Double(restarts))]),
            ]
        }

        private func subscriberFamilies() -> [MetricFamily] {
            let kinds = CeleryEventMonitor.EventSource.allCases
            return [
                MetricFamily(
                    name: "celery_redis_event_subscriber_up",
                    help: "1 while the broker's Pub/Sub subscription (worker events, and result writes unless "
                        + "--celery.result-backend-url gives them their own, see celery_redis_result_backend_up) is "
                        + "established; messages published while it is 0 are lost.",
                    type: .gauge, samples: [Sample(value: isSubscribed ? 1 : 0)]),
                MetricFamily(
                    name: "celery_redis_event_subscriber_reconnects",
                    help: "Times the Pub/Sub subscription was re-established after a failure.",
                    type: .counter, samples: [Sample(value: Double(reconnects))]),
                MetricFamily(
                    name: "celery_redis_event_messages",
                    help: "Pub/Sub messages received, by channel kind (result: celery-task-meta-*, "
                        + "worker: celeryev worker.*).",
                    type: .counter,
                    samples: kinds.map {
                        Sample(labels: [Label("kind", $0.rawValue)], value: Double(messages[$0] ?? 0))
                    }),
                MetricFamily(
                    name: "celery_redis_event_decode_errors",
                    help: "Pub/Sub messages on Celery's channels that could not be decoded, by channel kind.",
                    type: .counter,
                    samples: kinds.map {
                        Sample(labels: [Label("kind", $0.rawValue)], value: Double(decodeErrors[$0] ?? 0))
                    }),
            ]
        }

        /// `value` without a fraction when it is whole (for HELP texts).
        static func plainNumber(_ value: Double) -> String {
            value.rounded() == value && abs(value) < 1e6 ? String(Int(value)) : String(value)
        }

        private func taskLabel(_ task: String?) -> [Label] {
            task.map { [Label("task", $0)] } ?? []
        }
    }
}
