import Redis

extension Sampler {
    /// Classifies the sample (every index member up to ``CeleryConfiguration/unackedSampleLimit``,
    /// oldest first; ``indexMirror``'s members when its copy is valid) through the tag cache and
    /// ``UnackedLedger``: a poll costs the members that changed since the previous one, the members
    /// not classified yet (up to `unackedClassifyLimit` of them read, oldest first, within the byte
    /// budget: ``readUnackedValues(_:using:now:errors:)``), and the entries the clock moved across
    /// the stranded threshold or past their ETA. The result equals
    /// ``classifyUnackedByFullWalk(sample:using:now:errors:)``'s, which `unackedFullWalk` selects.
    func classifyUnacked(
        sample: [UnackedIndexMirror.Member], using redis: any RedisCommandExecuting,
        now: Double, errors: inout [PollStage: Int]
    ) throws -> UnackedBreakdown {
        if unackedFullWalk {
            return try classifyUnackedByFullWalk(sample: sample, using: redis, now: now, errors: &errors)
        }
        let fresh = ledger.sync(
            sample: sample, mirror: indexMirror, cache: &tagCache, now: now,
            visibilityTimeout: configuration.visibilityTimeout, classifyLimit: configuration.unackedClassifyLimit)
        if !fresh.isEmpty {
            let values = try readUnackedValues(fresh.map(\.key.bytes), using: redis, now: now, errors: &errors)
            let metaPrefix = layout.resultMetaKeyPrefix
            for (member, value) in zip(fresh, values) {
                let classification: UnackedClassification
                switch value {
                case .whole(let payload): classification = Sampler.classify(payload)
                case .sliced(_, let head, let tail): classification = Sampler.classify(head: head, tail: tail)
                case .unread(let reason): classification = .unread(reason)
                // No hash entry: a stale index member, remembered with its score (one read, not one per poll).
                case .absent: classification = .stale(score: member.score)
                case .error: continue  // counted by readUnackedValues; read again next poll
                }
                tagCache.store(member.key, classification, score: member.score, metaPrefix: metaPrefix)
                ledger.noteStored(member, cache: &tagCache)
            }
        }
        // The breakdown before the cache may renumber its names (endPoll), so ids match names.
        let breakdown = ledger.breakdown(known: Set(sortedQueues), cache: tagCache, taskNames: &taskNames)
        ledger.endPoll(cache: &tagCache)
        return breakdown
    }
}
