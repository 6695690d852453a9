import Redis

extension QueueDiscovery {
    /// The most queues one discovery probes for depth (10 `LLEN`s each) when more queues are found
    /// than `--celery.max-queues`; queues past it (in name order) rank as empty, and the over-limit
    /// warning says how many were not probed.
    static let maxDepthProbes = 20_000
    /// Queues per probe pipeline (10 commands each), so no pipeline grows with the queue count.
    static let depthProbeChunk = 500

    /// Depth of each candidate queue, for ranking past the queue cap: messages waiting on its 10
    /// priority lists (`LLEN`, pipelined in chunks) plus the tasks in flight the last unacked sample
    /// attributed to it. Error replies read 0 (the queue poll logs them). Throws only transport failures.
    func probeQueueDepths(_ candidates: [String], using redis: any RedisCommandExecuting) throws -> (
        depths: [String: Int64], unprobed: Int
    ) {
        let probed = candidates.prefix(QueueDiscovery.maxDepthProbes)
        var depths: [String: Int64] = [:]
        var start = probed.startIndex
        while start < probed.endIndex {
            let chunk = probed[start..<min(start + QueueDiscovery.depthProbeChunk, probed.endIndex)]
            var commands: [RedisCommand] = []
            commands.reserveCapacity(chunk.count * RoundPlan.levels)
            for queue in chunk {
                for step in KombuKeyLayout.priorityLevels {
                    commands.append([Array("LLEN".utf8), layout.queueKey(queue, priority: step)])
                }
            }
            let replies = try Sampler.run(commands, on: redis)
            for (i, queue) in chunk.enumerated() {
                var depth: Int64 = 0
                for j in 0..<RoundPlan.levels {
                    depth &+= max(0, Sampler.count(replies[i * RoundPlan.levels + j]) ?? 0)
                }
                if depth > 0 { depths[queue] = depth }
            }
            start = chunk.endIndex
        }
        for (queue, n) in inFlightByQueue where n > 0 {
            depths[queue, default: 0] &+= Int64(n)
        }
        return (depths, candidates.count - probed.count)
    }
}
