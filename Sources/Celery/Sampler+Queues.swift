import Redis

extension Sampler {
    /// Sums each queue's 10 `LLEN` replies. A missing key reads 0 (Redis deletes empty lists). An
    /// error reply (`WRONGTYPE`: a non-list stored under a queue's name) reads 0 too, because kombu
    /// cannot pop messages from it either; it is counted in the queue's `keyErrors` and in
    /// `commandErrors[.queues]`, and logged once per key.
    func readQueueLengths(
        plan: RoundPlan, replies: [RESPValue],
        errors: inout [PollStage: Int]
    ) -> [String: QueueSnapshot] {
        var result: [String: QueueSnapshot] = [:]
        result.reserveCapacity(plan.queues.count)
        for (i, queue) in plan.queues.enumerated() {
            var total: Int64 = 0
            var byPriority: [Int: Int64] = [:]
            var keyErrors = 0
            for (j, step) in KombuKeyLayout.priorityLevels.enumerated() {
                let index = i * RoundPlan.levels + j
                let reply = replies[index]
                guard let n = Sampler.count(reply) else {
                    keyErrors += 1
                    warnOnce(plan.commands[index][1], "queue key is not a list; counted as 0", reply: reply)
                    continue
                }
                if n > 0 {
                    byPriority[step] = n
                    total += n
                }
            }
            if keyErrors > 0 { errors[.queues, default: 0] += keyErrors }
            result[queue] = QueueSnapshot(
                name: queue, length: total, lengthByPriority: byPriority,
                keyErrors: keyErrors)
        }
        return result
    }
}
