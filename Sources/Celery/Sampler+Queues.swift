import Redis

extension Sampler {
    /// Sums each queue's 10 `LLEN` replies. A missing key reads 0 (Redis deletes empty lists). An
    /// error reply (`WRONGTYPE`: a non-list stored under a queue's name) reads 0 too, because kombu
    /// cannot pop messages from it either; it is counted in the queue's `keyErrors` and in
    /// `commandErrors[.queues]`, and logged once per key.
    func readQueueLengths(round: RoundReplies, errors: inout [PollStage: Int]) -> [String: QueueSnapshot] {
        var result: [String: QueueSnapshot] = [:]
        result.reserveCapacity(round.lengths.count)
        for (queue, steps) in round.lengths {
            var total: Int64 = 0
            var byPriority: [Int: Int64] = [:]
            var keyErrors = 0
            for length in steps {
                guard let n = Sampler.count(length.reply) else {
                    keyErrors += 1
                    warnOnce(length.key, "queue key is not a list; counted as 0", reply: length.reply)
                    continue
                }
                if n > 0 {
                    byPriority[length.step] = n
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
    /// folds them into each queue's ages. Empty lists cost nothing. Huge tails are cached and read
    /// at most one per poll (``HugeTailCache``): unknown tails are read with the size probe, and
    /// the one chosen among those the probe flagged and the cached ones due for a re-read is read
    /// in a second round. Throws only transport failures.
    func readQueueTails(
        plan: RoundPlan, queueStates: inout [String: QueueSnapshot], using redis: any RedisCommandExecuting,
        now: Double, errors: inout [PollStage: Int]
    ) throws {
        struct List {
            let queue: Int
            let key: [UInt8]
            let length: Int64
            var value: BoundedValue
        }
        var lists: [List] = []
        var probed: [Int] = []
        var candidates: [Int] = []
        for (i, queue) in plan.queues.enumerated() {
            guard let state = queueStates[queue] else { continue }
            for step in KombuKeyLayout.priorityLevels {
                guard let length = state.lengthByPriority[step], length > 0 else { continue }
                let key = layout.queueKey(queue, priority: step)
                var list = List(queue: i, key: key, length: length, value: .unread(.deferred))
                switch hugeTails.decide(key: key, length: length, now: now) {
                case .cached(let value): list.value = value
                case .due(let value):
                    list.value = value
                    candidates.append(lists.count)
                case .probe: probed.append(lists.count)
                }
                lists.append(list)
            }
        }

        let targets = probed.map { SliceScript.Target.probedListElement(key: lists[$0].key, index: -1) }
        let values = targets.isEmpty ? [] : try sliceScript.readSmallFirst(targets, using: redis, now: now)
        for (k, value) in zip(probed, values) {
            lists[k].value = value
            if value == .unread(.deferred) {
                candidates.append(k)
            } else {
                hugeTails.record(key: lists[k].key, length: lists[k].length, value: value, now: now)
            }
        }
        // The poll's one huge read, among huge tails and huge unacked messages; nothing follows it.
        let unackedCandidates = hugeUnackedTags.map { Sampler.hugeReadKey(unackedTag: $0, hash: layout.unackedKey) }
        let offered = candidates.map { lists[$0].key } + unackedCandidates
        if let chosen = hugeReads.choose(offered, now: now) {
            if let k = candidates.first(where: { lists[$0].key == chosen }) {
                if let value = readHugeValue(
                    .listElement(key: chosen, index: -1), candidate: chosen, now: now, using: redis)
                {
                    lists[k].value = value
                    hugeTails.record(key: chosen, length: lists[k].length, value: value, now: now)
                }
            } else if let i = unackedCandidates.firstIndex(of: chosen) {
                let tag = hugeUnackedTags[i]
                let target = SliceScript.Target.hashField(key: layout.unackedKey, field: tag)
                if let value = readHugeValue(target, candidate: chosen, now: now, using: redis) {
                    // Classified for the next poll (this one already counted it as deferred).
                    let key = UnackedTagKey(tag)
                    let score = tagCache.entries[key]?.score ?? 0
                    let prefix = layout.resultMetaKeyPrefix
                    switch value {
                    case .whole(let payload):
                        tagCache.store(key, Sampler.classify(payload), score: score, metaPrefix: prefix)
                    case .sliced(_, let head, let tail):
                        tagCache.store(key, Sampler.classify(head: head, tail: tail), score: score, metaPrefix: prefix)
                    case .unread(let reason): tagCache.store(key, .unread(reason), score: score, metaPrefix: prefix)
                    case .absent, .error: tagCache.forget(key)  // acked meanwhile, or an error reply: asked again
                    }
                }
            }
        }
        hugeReads.finishPoll(offered: Set(offered))
        noteScriptRefusal()

        var tails = [[BoundedValue]](repeating: [], count: plan.queues.count)
        for list in lists {
            if case .error(let message) = list.value {
                errors[.queues, default: 0] += 1
                warnOnce(list.key, "queue tail could not be read", reply: .error(message))
            }
            tails[list.queue].append(list.value)
        }
        for (i, queue) in plan.queues.enumerated() {
            let ages = tailTracker.observe(tails: tails[i], now: now)
            queueStates[queue]?.oldestMessageAge = ages.oldestAge
            queueStates[queue]?.oldestMessageAgeIsExact = ages.exact
            queueStates[queue]?.redeliveredTailMessages = ages.redeliveredTails
            queueStates[queue]?.unreadTailMessages = ages.unreadTails
        }
        tailTracker.finishPoll()
        hugeTails.finishPoll(polled: Set(lists.map(\.key)))
    }
}

extension Sampler {
    /// The ``HugeReadTurns`` key of a huge `unacked` message: the hash's key, a NUL and the tag, so
    /// it never equals a queue list's key.
    static func hugeReadKey(unackedTag tag: [UInt8], hash: [UInt8]) -> [UInt8] { hash + [0] + tag }

    /// Reads one huge value, the last Redis call of a poll. A transport failure (typically the read
    /// timeout while Redis copies hundreds of megabytes) does not fail the poll: it is counted
    /// (``hugeReadFailures``), logged at most once a minute, and the value waits out
    /// ``HugeReadTurns`` before it is tried again. The connection was dropped by the client; the
    /// next poll reconnects.
    func readHugeValue(
        _ target: SliceScript.Target, candidate: [UInt8], now: Double, using redis: any RedisCommandExecuting
    ) -> BoundedValue? {
        do {
            let value = try sliceScript.read([target], using: redis, now: now).first ?? .error("no script reply")
            hugeReads.finish(candidate, succeeded: true, now: now)
            return value
        } catch {
            hugeReads.finish(candidate, succeeded: false, now: now)
            hugeReadFailures += 1
            if let suppressed = hugeReadLog.admit(at: now) {
                let failures = hugeReads.failureCount(candidate)
                logger.warning(
                    "reading a huge value from Redis failed; the poll went on without it",
                    metadata: [
                        "key": "\(Sampler.printable(candidate))", "error": "\(error)",
                        "retry_in_s": "\(Int(HugeReadTurns.retryDelay(afterFailures: failures)))",
                        "suppressed": "\(suppressed)",
                    ])
            }
            return nil
        }
    }
}
