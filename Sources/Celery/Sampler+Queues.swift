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

extension Sampler {
    /// Reads the tail (`LINDEX <list> -1`, the oldest message) of every non-empty priority list
    /// within the byte budget (``SliceScript``: whole when small, else head and tail slices), and
    /// folds them into each queue's ages. Empty lists cost nothing. Throws only transport failures.
    func readQueueTails(
        plan: RoundPlan, queueStates: inout [String: QueueSnapshot], using redis: any RedisCommandExecuting,
        now: Double, errors: inout [PollStage: Int]
    ) throws {
        var targets: [SliceScript.Target] = []
        var slots: [(queue: Int, step: Int)] = []
        for (i, queue) in plan.queues.enumerated() {
            guard let state = queueStates[queue] else { continue }
            for (j, step) in KombuKeyLayout.priorityLevels.enumerated() where (state.lengthByPriority[step] ?? 0) > 0 {
                targets.append(.listElement(key: layout.queueKey(queue, priority: step), index: -1))
                slots.append((i, j))
            }
        }
        let values = targets.isEmpty ? [] : try sliceScript.read(targets, using: redis, now: now)
        noteScriptRefusal()

        var tails = [[BoundedValue]](repeating: [], count: plan.queues.count)
        for (k, (slot, value)) in zip(slots, values).enumerated() {
            if case .error(let message) = value, case .listElement(let key, _) = targets[k] {
                errors[.queues, default: 0] += 1
                warnOnce(key, "queue tail could not be read", reply: .error(message))
            }
            tails[slot.queue].append(value)
        }
        for (i, queue) in plan.queues.enumerated() {
            let ages = tailTracker.observe(tails: tails[i], now: now)
            queueStates[queue]?.oldestMessageAge = ages.oldestAge
            queueStates[queue]?.oldestMessageAgeIsExact = ages.exact
            queueStates[queue]?.redeliveredTailMessages = ages.redeliveredTails
            queueStates[queue]?.unreadTailMessages = ages.unreadTails
        }
        tailTracker.finishPoll()
    }
}
