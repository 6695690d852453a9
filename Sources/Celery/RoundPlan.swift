import Redis

/// The commands of a poll's main pipelined round and where each reply lands.
///
/// Layout: for queue `i` (sorted), replies `i*10 ..< i*10+10` are `LLEN` of priority steps 0–9;
/// then `ZCARD unacked_index`, `ZCOUNT unacked_index -inf (cutoff` and the commands that read the
/// index's members (``UnackedIndexMirror/commands(_:key:limit:)``: the whole index, or a `ZCOUNT`
/// per bucket of the remembered copy and the newest members; none when the sample limit is 0).
///
/// ``decode(_:)`` names the replies (each queue's ten `LLEN`s with their keys, the three
/// `unacked_index` replies), so readers never recompute offsets into the pipeline.
///
/// The tails of the lists (`LINDEX <list> -1`, the oldest message) are not read here: a message can
/// be any size (a 70 MB one can be next in line), so they are read afterwards, only for non-empty
/// lists, within the byte budget (``Sampler/readQueueTails(plan:queueStates:using:now:errors:)``).
struct RoundPlan {
    static let levels = KombuKeyLayout.priorityLevels.count

    let queues: [String]
    let commands: [RedisCommand]
    private let zcardIndex: Int
    private let zcountIndex: Int
    private let unackedReadRange: Range<Int>
    /// `now − visibilityTimeout`: entries fetched before this are stranded.
    let cutoff: Double

    init(
        queues: [String], layout: KombuKeyLayout, now: Double, configuration: CeleryConfiguration,
        unackedRead: [RedisCommand]
    ) {
        self.queues = queues
        self.cutoff = now - configuration.visibilityTimeout
        var commands: [RedisCommand] = []
        commands.reserveCapacity(queues.count * RoundPlan.levels + 3)
        let llen = Array("LLEN".utf8)
        for queue in queues {
            for step in KombuKeyLayout.priorityLevels {
                commands.append([llen, layout.queueKey(queue, priority: step)])
            }
        }
        let index = layout.unackedIndexKey
        zcardIndex = commands.count
        commands.append([Array("ZCARD".utf8), index])
        zcountIndex = commands.count
        // Exclusive bound "(x": strictly older than the visibility timeout, as kombu's restore sweep.
        let bound = cutoff.isFinite ? "(" + RoundPlan.format(cutoff) : "-inf"
        commands.append([Array("ZCOUNT".utf8), index, Array("-inf".utf8), Array(bound.utf8)])
        // The index's members: whole, or what changed (``UnackedIndexMirror``); none at limit 0.
        unackedReadRange = commands.count..<(commands.count + unackedRead.count)
        commands += unackedRead
        self.commands = commands
    }

    /// A score as Redis parses it (`strtod`): Swift's shortest round-trip form, e.g. `1795624974.8083234`.
    static func format(_ value: Double) -> String { "\(value)" }

    /// The replies of one round, named. `replies` must hold one reply per command (``Sampler/run(_:on:)``
    /// insists on it).
    func decode(_ replies: [RESPValue]) -> RoundReplies {
        precondition(replies.count == commands.count, "one reply per command")
        var lengths: [(queue: String, steps: [RoundReplies.Length])] = []
        lengths.reserveCapacity(queues.count)
        for (i, queue) in queues.enumerated() {
            let steps = KombuKeyLayout.priorityLevels.enumerated().map { j, step in
                let index = i * RoundPlan.levels + j
                return RoundReplies.Length(step: step, key: commands[index][1], reply: replies[index])
            }
            lengths.append((queue, steps))
        }
        return RoundReplies(
            lengths: lengths,
            unackedCount: replies[zcardIndex], strandedCount: replies[zcountIndex],
            unackedRead: Array(replies[unackedReadRange]))
    }
}
