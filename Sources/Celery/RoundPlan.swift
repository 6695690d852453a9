import Redis

/// The commands of a poll's main pipelined round and where each reply lands.
///
/// Layout: for queue `i` (sorted), replies `i*10 ..< i*10+10` are `LLEN` of priority steps 0–9;
/// then, from ``lindexBase``, the same number of `LINDEX <list> -1` (the oldest message of each
/// priority list: kombu LPUSHes and workers BRPOP from the right, model doc §0.1); then
/// `ZCARD unacked_index`, `ZCOUNT unacked_index -inf (cutoff` and, when the sample limit is positive,
/// `ZRANGE unacked_index 0 limit-1 WITHSCORES`.
///
/// Why `LINDEX` every list rather than only non-empty ones: emptiness is only known from the `LLEN`
/// replies of this very round, and a second round trip would cost more than an O(1) `LINDEX` of a
/// missing key (nil reply, a few bytes). A non-empty list answers with one message, bounded.
struct RoundPlan {
    static let levels = KombuKeyLayout.priorityLevels.count

    let queues: [String]
    let commands: [RedisCommand]
    let zcardIndex: Int
    let zcountIndex: Int
    let zrangeIndex: Int?
    /// Index of the first `LINDEX`: queue `i`, step `j` is at `lindexBase + i*10 + j`.
    let lindexBase: Int
    /// `now − visibilityTimeout`: entries fetched before this are stranded.
    let cutoff: Double

    init(queues: [String], layout: KombuKeyLayout, now: Double, configuration: CeleryConfiguration) {
        self.queues = queues
        self.cutoff = now - configuration.visibilityTimeout
        var commands: [RedisCommand] = []
        commands.reserveCapacity(2 * queues.count * RoundPlan.levels + 4)
        let llen = Array("LLEN".utf8)
        for queue in queues {
            for step in KombuKeyLayout.priorityLevels {
                commands.append([llen, layout.queueKey(queue, priority: step)])
            }
        }
        lindexBase = commands.count
        let lindex = Array("LINDEX".utf8)
        let last = Array("-1".utf8)
        for queue in queues {
            for step in KombuKeyLayout.priorityLevels {
                commands.append([lindex, layout.queueKey(queue, priority: step), last])
            }
        }
        let index = layout.unackedIndexKey
        zcardIndex = commands.count
        commands.append([Array("ZCARD".utf8), index])
        zcountIndex = commands.count
        // Exclusive bound "(x": strictly older than the visibility timeout, as kombu's restore sweep.
        let bound = cutoff.isFinite ? "(" + RoundPlan.format(cutoff) : "-inf"
        commands.append([Array("ZCOUNT".utf8), index, Array("-inf".utf8), Array(bound.utf8)])
        if configuration.unackedSampleLimit > 0 {
            zrangeIndex = commands.count
            commands.append([
                Array("ZRANGE".utf8), index, Array("0".utf8),
                Array(String(configuration.unackedSampleLimit - 1).utf8), Array("WITHSCORES".utf8),
            ])
        } else {
            zrangeIndex = nil
        }
        self.commands = commands
    }

    /// A score as Redis parses it (`strtod`): Swift's shortest round-trip form, e.g. `1795624974.8083234`.
    static func format(_ value: Double) -> String { "\(value)" }
}
