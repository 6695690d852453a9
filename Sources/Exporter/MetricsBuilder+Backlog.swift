import Celery
import Exposition

extension MetricsBuilder {
    /// What each queue's backlog is made of (only queues with a breakdown: non-empty, breakdown on)
    /// and what finding out costs (always, so a rate can be taken from the first poll).
    static func backlogFamilies(_ sampled: SampledState) -> [MetricFamily] {
        let queues = sampled.queues.compactMap { queue in queue.backlog.map { (LabelValueLimit.capped(queue.name), $0) }
        }
        var families: [MetricFamily] = []
        if !queues.isEmpty {
            families.append(
                MetricFamily(
                    .queueTasksByName,
                    samples: queues.flatMap { name, backlog in
                        backlog.byTask.sorted { $0.key < $1.key }.map {
                            Sample(labels: [Label("queue", name), Label("task", $0.key)], value: Double($0.value))
                        }
                    }))
            families.append(
                MetricFamily(
                    .queueSampledMessages,
                    samples: queues.map { Sample(labels: [Label("queue", $0.0)], value: Double($0.1.sampled)) }))
            families.append(
                MetricFamily(
                    .queueUnclassifiedMessages,
                    samples: queues.flatMap { name, backlog in
                        BacklogUnclassifiedReason.allCases.compactMap { reason in
                            guard let n = backlog.unclassified[reason], n > 0 else { return nil }
                            return Sample(
                                labels: [Label("queue", name), Label("reason", reason.rawValue)], value: Double(n))
                        }
                    }))
        }
        let reads = sampled.backlogReads
        families.append(MetricFamily(.queueSampleReads, value: Double(reads.messagesRead)))
        families.append(MetricFamily(.queueSampleCopiedBytes, value: Double(reads.bytesCopied)))
        families.append(MetricFamily(.queueSampleTrackedMessages, value: Double(reads.tracked)))
        return families
    }
}
