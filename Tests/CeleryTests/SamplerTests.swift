import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// A realistic "now": the host clock of the observed payloads read about 1795.6e6.
private let t0 = 1_795_625_000.0

/// These suites count rounds and commands of the queue and unacked stages; the result census
/// (its own rounds, ResultCensusTests) is off here.
private func sampler(_ configuration: CeleryConfiguration, recorder: LogRecorder = LogRecorder()) -> Sampler {
    var configuration = configuration
    configuration.censusEnabled = false
    return Sampler(configuration: configuration, logger: recorder.logger())
}

private func addBinding(
    _ redis: FakeRedis, prefix: String = "", exchange: String, queue: String,
    routingKey: String? = nil
) {
    redis.sets[b(prefix + "_kombu.binding." + exchange), default: []]
        .append(b(routingKey ?? queue) + sep + sep + b(queue))
}

private func addUnacked(
    _ redis: FakeRedis, prefix: String = "", tag: String, queue: String, score: Double,
    value: String? = nil
) {
    redis.zsets[b(prefix + "unacked_index"), default: [:]][b(tag)] = score
    redis.hashes[b(prefix + "unacked"), default: [:]][b(tag)] = b(value ?? unackedValue(tag: tag, queue: queue))
}

@Suite struct SamplerQueueTests {
    @Test func priorityListsAreSummedPerQueue() {
        let redis = FakeRedis()
        redis.lists[b("celery")] = 3
        redis.lists[b("celery") + sep + b("3")] = 2
        redis.lists[b("celery") + sep + b("9")] = 1
        redis.lists[b("other") + sep + b("1")] = 4
        let s = sampler(CeleryConfiguration(queues: ["other", "celery"], discoverQueues: false))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.failure?.stage == nil)
        #expect(snap.sampled?.queues.map(\.name) == ["celery", "other"])
        #expect(snap.sampled?.queues[0].length == 6)
        #expect(snap.sampled?.queues[0].lengthByPriority == [0: 3, 3: 2, 9: 1])
        #expect(snap.sampled?.queues[1].length == 4)
        #expect(snap.sampled?.queues[1].lengthByPriority == [1: 4])
        #expect(snap.sampled?.knownQueueCount == 2)
        #expect(snap.timestamp == t0)
        #expect(snap.pollDuration >= 0)
        #expect(snap.sampled?.commandErrors.isEmpty == true)
        // One round: 10 LLENs per queue, then ZCARD, ZCOUNT, ZRANGE; then the slicing script is
        // loaded and the tails of the 4 non-empty lists are read in one more round.
        #expect(redis.rounds.count == 3)
        #expect(redis.commands(named: "EVALSHA_RO").count == 4)
        let llens = redis.commands(named: "LLEN").map { $0[1] }
        #expect(llens.count == 20)
        #expect(llens[0] == b("celery"))
        #expect(llens[1] == b("celery") + sep + b("1"))
        #expect(llens[9] == b("celery") + sep + b("9"))
        #expect(llens[10] == b("other"))
    }

    @Test func discoveryReadsBindingsAndSkipsPidboxAndCeleryev() throws {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        addBinding(redis, exchange: "high", queue: "high")
        addBinding(redis, exchange: "nobody", queue: "nobody")  // E3: producer-only queue still counts
        // Fanout exchanges: never read at all.
        redis.sets[b("_kombu.binding.celery.pidbox")] = [sep + sep + b("w1@vm.celery.pidbox")]
        redis.sets[b("_kombu.binding.reply.celery.pidbox")] = [b("x") + sep + sep + b("abc.reply.celery.pidbox")]
        redis.sets[b("_kombu.binding.celeryev")] = [b("worker.#") + sep + sep + b("celeryev.0d3b")]
        // kombu 5.7 bookkeeping: not binding tables.
        redis.sets[b("_kombu.binding_permanent.celery")] = [b("celery") + sep + sep + b("permanent-only")]
        redis.zsets[b("_kombu.binding_deadlines")] = [b("celeryev"): 1_795_628_600_000]
        // A fanout queue name bound on an ordinary exchange, and malformed members: skipped.
        redis.sets[b("_kombu.binding.mixed")] = [
            sep + sep + b("w2@vm.celery.pidbox"), b("garbage"),
            b("a") + sep + b("b"), b("rk") + sep + sep + b("mixedq"),
        ]
        redis.lists[b("high")] = 7

        let s = sampler(CeleryConfiguration(queues: ["celery"]))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.sampled?.discoveryRan == true)
        #expect(s.knownQueues == ["celery", "high", "mixedq", "nobody"])
        #expect(snap.sampled?.queues.map(\.name) == ["celery", "high", "mixedq", "nobody"])
        #expect(snap.sampled?.queues[1].length == 7)
        let scans = redis.commands(named: "SCAN")
        #expect(scans.count > 1, "the cursor loop ran to completion")
        #expect(scans.allSatisfy { $0[2...] == [b("MATCH"), b("_kombu.binding.*"), b("COUNT"), b("1000")][...] })
        let smembers = Set(redis.commands(named: "SMEMBERS").map { String(decoding: $0[1], as: UTF8.self) })
        #expect(
            smembers == [
                "_kombu.binding.celery", "_kombu.binding.high", "_kombu.binding.mixed",
                "_kombu.binding.nobody",
            ])
    }

    @Test func deletedListOfAKnownQueueReadsZero() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        redis.lists[b("celery")] = 2
        let s = sampler(CeleryConfiguration())
        #expect(s.poll(using: redis, now: t0).sampled?.queues.first?.length == 2)

        // Workers drain the queue: Redis deletes the empty list. Even the binding goes away.
        redis.lists = [:]
        redis.sets = [:]
        let between = s.poll(using: redis, now: t0 + 10)
        #expect(between.sampled?.queues == [QueueSnapshot(name: "celery", length: 0)])
        let afterRediscovery = s.poll(using: redis, now: t0 + 70)
        #expect(afterRediscovery.sampled?.discoveryRan == true)
        #expect(afterRediscovery.sampled?.queues == [QueueSnapshot(name: "celery", length: 0)])
    }

    @Test func prefixIsHonouredAndGlobCharactersAreEscaped() {
        let prefix = "app[1]*:"
        let redis = FakeRedis()
        addBinding(redis, prefix: prefix, exchange: "celery", queue: "celery")
        redis.lists[b(prefix + "celery") + sep + b("6")] = 5
        // Unprefixed (another app on the same DB) and a decoy the unescaped glob would match.
        addBinding(redis, exchange: "other", queue: "other")
        addBinding(redis, prefix: "app1xyz:", exchange: "decoy", queue: "decoy")
        redis.lists[b("celery")] = 100
        addUnacked(redis, prefix: prefix, tag: "t1", queue: "celery", score: t0 - 5)
        addUnacked(redis, tag: "u1", queue: "celery", score: t0 - 5)

        let s = sampler(CeleryConfiguration(keyPrefix: prefix))
        let snap = s.poll(using: redis, now: t0)
        #expect(s.knownQueues == ["celery"])
        #expect(
            snap.sampled?.queues == [
                QueueSnapshot(
                    name: "celery", length: 5, lengthByPriority: [6: 5], unacked: 1,
                    unackedOldestAge: 5, stranded: 0)
            ])
        #expect(snap.sampled?.unackedTotal == 1)
        #expect(redis.commands(named: "SCAN").first?[3] == b(#"app\[1\]\*:_kombu.binding.*"#))
        #expect(redis.commands(named: "ZCARD").first?[1] == b(prefix + "unacked_index"))
        #expect(redis.commands(named: "HMGET").first?[1] == b(prefix + "unacked"))
    }

    @Test func discoveryRunsOnlyEveryIntervalOfNow() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        let s = sampler(CeleryConfiguration())
        var ran: [Double] = []
        for dt in [0, 30, 59.9, 60, 61, 119, 120, 130] as [Double] {
            if s.poll(using: redis, now: t0 + dt).sampled?.discoveryRan == true { ran.append(dt) }
        }
        #expect(ran == [0, 60, 120])
        // A clock stepped backwards rediscovers rather than waiting for the old clock to catch up.
        #expect(s.poll(using: redis, now: t0 - 500).sampled?.discoveryRan == true)
        // Between discoveries, new bindings are not seen.
        addBinding(redis, exchange: "late", queue: "late")
        #expect(s.poll(using: redis, now: t0 - 490).sampled?.queues.map(\.name) == ["celery"])
        #expect(s.poll(using: redis, now: t0 - 440).sampled?.queues.map(\.name) == ["celery", "late"])
    }

    @Test func knownQueuesAreBoundedAndTheOverflowIsCounted() {
        let redis = FakeRedis()
        for name in ["a", "b", "c", "d", "e"] { addBinding(redis, exchange: name, queue: name) }
        let s = sampler(CeleryConfiguration(queues: ["configured"], maxKnownQueues: 3))
        let snap = s.poll(using: redis, now: t0)
        #expect(s.knownQueues == ["a", "b", "c", "configured"])
        #expect(snap.sampled?.knownQueueCount == 4)
        #expect(snap.sampled?.queuesOverLimit == 2)

        // Binding tables themselves are bounded too (2 × maxKnownQueues, at least 4096, so a small
        // queue cap still reads every table and ranks every queue); tables not read count as
        // queues over the limit.
        let many = FakeRedis()
        many.scanPageSize = 1000
        for i in 0..<40 { addBinding(many, exchange: "x\(i)", queue: "q\(i)") }
        let bounded = sampler(CeleryConfiguration(maxKnownQueues: 5)).poll(using: many, now: t0)
        #expect(bounded.sampled?.knownQueueCount == 5)
        #expect(bounded.sampled?.queuesOverLimit == 35)
        #expect(many.commands(named: "SMEMBERS").count == 40)
        #expect(QueueDiscovery.bindingTableBound(maxKnownQueues: 5) == QueueDiscovery.minBindingTables)
        #expect(QueueDiscovery.bindingTableBound(maxKnownQueues: 10_000) == 20_000)
    }

    @Test func wrongTypeQueueKeyCountsAsAnErrorAndZero() {
        let redis = FakeRedis()
        let recorder = LogRecorder()
        redis.lists[b("celery")] = 4
        redis.strings[b("celery") + sep + b("3")] = b("oops")  // someone SET a string named like a list
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false), recorder: recorder)
        for i in 0..<3 {
            let snap = s.poll(using: redis, now: t0 + Double(i))
            #expect(snap.succeeded)
            #expect(
                snap.sampled?.queues == [
                    QueueSnapshot(name: "celery", length: 4, lengthByPriority: [0: 4], keyErrors: 1)
                ])
            #expect(snap.sampled?.commandErrors == [.queues: 1])
        }
        let warnings = recorder.messages.filter { $0.contains("not a list") }
        // The recorder writes every metadata pair, so the server's (sanitised) reply shows too.
        #expect(
            warnings == [
                #"warning queue key is not a list; counted as 0 key=celery\x06\x163"#
                    + " reply=WRONGTYPE Operation against a key holding the wrong kind of value"
            ])
    }

    @Test func singleDiscoveryErrorRepliesKeepTheKnownSet() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        redis.strings[b("_kombu.binding.broken")] = b("x")  // SMEMBERS → WRONGTYPE
        let s = sampler(CeleryConfiguration())
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.sampled?.queues.map(\.name) == ["celery"])
        #expect(snap.sampled?.commandErrors == [.discovery: 1])

        // SCAN refused (e.g. an ACL without +scan): known queues stay, discovery waits an interval.
        redis.override = { $0[0] == b("SCAN") ? .error("NOPERM this user has no permissions to run 'scan'") : nil }
        let refused = s.poll(using: redis, now: t0 + 60)
        #expect(refused.succeeded)
        #expect(refused.sampled?.commandErrors == [.discovery: 1])
        #expect(refused.sampled?.queues.map(\.name) == ["celery"])
        #expect(s.poll(using: redis, now: t0 + 61).sampled?.discoveryRan == false)
    }
}

@Suite struct SamplerUnackedTests {
    @Test func perQueueCountsOldestAgeAndStranded() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        addBinding(redis, exchange: "high", queue: "high")
        addUnacked(redis, tag: "c1", queue: "celery", score: t0 - 10)
        addUnacked(redis, tag: "c2", queue: "celery", score: t0 - 4_000)  // older than VT 3600: stranded
        addUnacked(redis, tag: "c3", queue: "celery", score: t0 - 3_600)  // exactly VT: not stranded
        addUnacked(redis, tag: "h1", queue: "high", score: t0 - 5.5)
        let s = sampler(CeleryConfiguration())
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.sampled?.unackedTotal == 4)
        #expect(snap.sampled?.strandedTotal == 1)
        #expect(snap.sampled?.unackedSampled == 4)
        #expect(snap.sampled?.unackedUnclassified == 0)
        #expect(
            snap.sampled?.queues == [
                QueueSnapshot(name: "celery", unacked: 3, unackedOldestAge: 4_000, stranded: 1),
                QueueSnapshot(name: "high", unacked: 1, unackedOldestAge: 5.5, stranded: 0),
            ])
        #expect(
            redis.commands(named: "ZCOUNT").first == [
                b("ZCOUNT"), b("unacked_index"), b("-inf"),
                b("(1795621400.0"),
            ])
        #expect(
            redis.commands(named: "ZRANGE").first == [
                b("ZRANGE"), b("unacked_index"), b("0"), b("100000"),
                b("WITHSCORES"),
            ])
        // 4 keys at 3 per SCAN page: 2 SCANs, then SMEMBERS, the main round, HSTRLEN and HMGET.
        #expect(redis.rounds.count == 6)

        // Later (before the next discovery), with everything cached: ages move with `now`, and no
        // payload is fetched again.
        let rounds = redis.rounds.count
        let later = s.poll(using: redis, now: t0 + 50)
        #expect(redis.rounds.count == rounds + 1)
        #expect(later.sampled?.queues[0].unackedOldestAge == 4_050)
        #expect(later.sampled?.queues[0].stranded == 2)
        #expect(later.sampled?.strandedTotal == 2)
        #expect(later.sampled?.queues[1].unackedOldestAge == 55.5)
    }

    @Test func sampleLimitBoundsWorkWhileTheTotalStaysExact() throws {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        for i in 0..<50 {
            addUnacked(redis, tag: "tag-\(i + 100)", queue: "celery", score: t0 - 1_000 + Double(i))
        }
        let s = sampler(CeleryConfiguration(unackedSampleLimit: 10, unackedClassifyLimit: 4))
        var classified: [Int] = []
        for poll in 0..<4 {
            let before = redis.commands(named: "HMGET").count
            let snap = s.poll(using: redis, now: t0 + Double(poll))
            #expect(snap.sampled?.unackedTotal == 50)
            #expect(snap.sampled?.unackedSampled == 10)
            let state = try #require(snap.sampled)
            #expect(state.unackedUnclassified == 50 - state.queues[0].unacked)
            classified.append(state.queues[0].unacked)
            let hmgets = redis.commands(named: "HMGET").dropFirst(before)
            #expect(hmgets.reduce(0) { $0 + $1.count - 2 } <= 4)
        }
        #expect(classified == [4, 8, 10, 10])
        #expect(redis.commands(named: "ZRANGE").allSatisfy { $0[3] == b("10") })
        // Oldest first: the first HMGET asked for the four oldest tags.
        #expect(
            redis.commands(named: "HMGET").first == [
                b("HMGET"), b("unacked"), b("tag-100"), b("tag-101"),
                b("tag-102"), b("tag-103"),
            ])
        #expect(s.cachedUnackedTagCount == 10)
    }

    @Test func hmgetRoundsAreBoundedByBytes() {
        let redis = FakeRedis()
        for i in 0..<250 { addUnacked(redis, tag: "t\(i)", queue: "celery", score: t0 - Double(i)) }
        let size = unackedValue(tag: "t100").count
        var configuration = CeleryConfiguration(queues: ["celery"], discoverQueues: false)
        configuration.valueReadBudget = ValueReadBudget(
            wholeValueBytes: 4 * size, sliceBytes: size, roundBytes: 100 * size)
        let s = sampler(configuration)
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].unacked == 250)
        let hmgets = redis.commands(named: "HMGET")
        #expect(hmgets.count >= 3)
        #expect(hmgets.reduce(0) { $0 + $1.count - 2 } == 250)
        for command in hmgets {
            let bytes = command.dropFirst(2).reduce(0) { $0 + redis.hashes[b("unacked")]![$1]!.count }
            #expect(bytes <= 100 * size)
        }
        // Each HMGET is its own round, after the main round and the HSTRLEN round.
        #expect(redis.rounds.count == 2 + hmgets.count)
        #expect(redis.commands(named: "HSTRLEN").count == 250)
    }

    @Test func garbageHashValuesAreCountedUndecodableAndNotRefetched() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        addUnacked(redis, tag: "good", queue: "celery", score: t0 - 1)
        let garbage = ["not json", "[1, 2]", "{}", String(unackedValue(tag: "x").prefix(40)), "", "\u{0}\u{1}"]
        for (i, value) in garbage.enumerated() {
            addUnacked(redis, tag: "bad\(i)", queue: "celery", score: t0 - 2, value: value)
        }
        let s = sampler(CeleryConfiguration())
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.sampled?.unackedTotal == 7)
        #expect(snap.sampled?.unackedUndecodable == 6)
        #expect(snap.sampled?.unackedUnclassified == 6)
        #expect(snap.sampled?.queues[0].unacked == 1)
        let hmgets = redis.commands(named: "HMGET").count
        let again = s.poll(using: redis, now: t0 + 1)
        #expect(again.sampled?.unackedUndecodable == 6)
        #expect(redis.commands(named: "HMGET").count == hmgets)
    }

    @Test func indexMemberWithoutHashEntryIsStaleNotInFlightAndReadAgainWhenRefetched() {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        addUnacked(redis, tag: "present", queue: "celery", score: t0 - 3)
        redis.zsets[b("unacked_index")]![b("raced")] = t0 - 9
        let s = sampler(CeleryConfiguration())
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedTotal == 1)
        #expect(snap.sampled?.unackedIndexStale == 1)
        #expect(snap.sampled?.unackedUnclassified == 0)
        #expect(snap.sampled?.queues[0].unacked == 1)
        #expect(snap.sampled?.queues[0].unackedOldestAge == 3)
        // Same score: still stale, not read again.
        let hmgets = redis.commands(named: "HMGET").count
        #expect(s.poll(using: redis, now: t0 + 1).sampled?.unackedIndexStale == 1)
        #expect(redis.commands(named: "HMGET").count == hmgets)
        // A worker fetches the tag again (new score, hash entry written): read again, in flight.
        addUnacked(redis, tag: "raced", queue: "celery", score: t0 + 1)
        let refetched = s.poll(using: redis, now: t0 + 2)
        #expect(redis.commands(named: "HMGET").last == [b("HMGET"), b("unacked"), b("raced")])
        #expect(refetched.sampled?.unackedIndexStale == 0)
        #expect(refetched.sampled?.queues[0].unacked == 2)
    }

    @Test func cacheEntriesAreEvictedWhenTagsLeaveTheIndex() {
        let redis = FakeRedis()
        addUnacked(redis, tag: "a", queue: "celery", score: t0 - 3)
        addUnacked(redis, tag: "b", queue: "celery", score: t0 - 2)
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false))
        _ = s.poll(using: redis, now: t0)
        #expect(s.cachedUnackedTagCount == 2)
        redis.zsets[b("unacked_index")]![b("a")] = nil  // acked
        redis.hashes[b("unacked")]![b("a")] = nil
        let snap = s.poll(using: redis, now: t0 + 1)
        #expect(s.cachedUnackedTagCount == 1)
        #expect(snap.sampled?.queues[0].unacked == 1)
        #expect(snap.sampled?.queues[0].unackedOldestAge == 3)
    }

    @Test func routingKeyOfNoKnownQueueIsCountedSeparately() {
        let redis = FakeRedis()
        addUnacked(redis, tag: "a", queue: "celery", score: t0 - 3)
        addUnacked(redis, tag: "b", queue: "elsewhere", score: t0 - 2)
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedUnknownQueue == 1)
        #expect(snap.sampled?.unackedUnclassified == 1)
        #expect(snap.sampled?.queues.map(\.name) == ["celery"])
    }

    @Test func wrongTypeUnackedStructuresDoNotFailThePoll() {
        let redis = FakeRedis()
        redis.lists[b("celery")] = 1
        redis.strings[b("unacked_index")] = b("x")
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        #expect(snap.sampled?.unackedTotal == 0)
        #expect(snap.sampled?.commandErrors == [.unacked: 3])  // ZCARD, ZCOUNT, ZRANGE
        #expect(snap.sampled?.queues[0].length == 1)

        // Index fine, but the hash is a string: entries stay unclassified, the total stays exact.
        let redis2 = FakeRedis()
        redis2.zsets[b("unacked_index")] = [b("t1"): t0 - 1, b("t2"): t0 - 2]
        redis2.strings[b("unacked")] = b("x")
        let snap2 = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false)).poll(using: redis2, now: t0)
        #expect(snap2.succeeded)
        #expect(snap2.sampled?.unackedTotal == 2)
        #expect(snap2.sampled?.unackedUnclassified == 2)
        #expect(snap2.sampled?.commandErrors == [.unacked: 1])
    }

    @Test func sampleLimitZeroSkipsTheBreakdown() {
        let redis = FakeRedis()
        addUnacked(redis, tag: "a", queue: "celery", score: t0 - 3)
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false, unackedSampleLimit: 0))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedTotal == 1)
        #expect(snap.sampled?.unackedUnclassified == 1)
        #expect(redis.commands(named: "ZRANGE").isEmpty)
        #expect(redis.commands(named: "HMGET").isEmpty)
    }

    @Test func scoredMembersInRESP2AndRESP3Shapes() {
        let flat = RESPValue.array([.bulk(b("a")), .bulk(b("1795624974.8083234")), .bulk(b("b")), .bulk(b("inf"))])
        let parsed = Sampler.parseScoredMembers(flat)
        #expect(parsed?.map(\.tag) == [b("a"), b("b")])
        #expect(parsed?.first?.score == 1795624974.8083234)
        let pairs = RESPValue.array([.array([.bulk(b("a")), .bulk(b("12.5"))])])
        #expect(Sampler.parseScoredMembers(pairs)?.first?.score == 12.5)
        #expect(Sampler.parseScoredMembers(.array([.bulk(b("odd"))])) == nil)
        #expect(Sampler.parseScoredMembers(.error("WRONGTYPE")) == nil)
        #expect(Sampler.parseScoredMembers(.array([.bulk(b("a")), .bulk(b("NaNx"))]))?.isEmpty == true)
        // A NaN score (another server than Redis) is no score: the member is left out, not counted.
        for nan in ["nan", "-nan", "NAN", "nan(0x1)"] {
            #expect(Sampler.parseScoredMembers(.array([.bulk(b("a")), .bulk(b(nan))]))?.isEmpty == true)
        }
        #expect(Sampler.parseScore(.status("nan")) == nil)
        #expect(Sampler.parseScore(.bulk(b(String(repeating: "0", count: 70) + "1"))) == 1)
    }
}

@Suite struct SamplerFailureTests {
    private func seeded() -> FakeRedis {
        let redis = FakeRedis()
        addBinding(redis, exchange: "celery", queue: "celery")
        redis.lists[b("celery")] = 3
        addUnacked(redis, tag: "a", queue: "celery", score: t0 - 3)
        return redis
    }

    private func expectNothingCurrent(_ snap: Snapshot, stage: PollStage) {
        // A failed poll carries no measurements at all: only the stage, the reason and the timing.
        #expect(snap.sampled == nil)
        #expect(snap.failure?.stage == stage)
        #expect(snap.pollDuration >= 0)
        #expect(snap.timestamp == t0 + 1)
        #expect(snap.failure?.reason.isEmpty == false)
    }

    @Test func transportFailureInDiscovery() {
        let redis = seeded()
        redis.failWhen = { $0[0] == b("SCAN") }
        let s = sampler(CeleryConfiguration())
        expectNothingCurrent(s.poll(using: redis, now: t0 + 1), stage: .discovery)
        // Recovers on the next poll, and discovery is retried at once (it never completed).
        redis.failWhen = nil
        let next = s.poll(using: redis, now: t0 + 2)
        #expect(next.succeeded && next.sampled?.discoveryRan == true)
        #expect(next.sampled?.queues.first?.length == 3)
    }

    @Test func transportFailureInTheMainRoundPresentsNoStaleValues() {
        let redis = seeded()
        let s = sampler(CeleryConfiguration())
        #expect(s.poll(using: redis, now: t0).sampled?.queues.first?.length == 3)
        redis.failWhen = { $0[0] == b("LLEN") }
        let failed = s.poll(using: redis, now: t0 + 1)
        expectNothingCurrent(failed, stage: .queues)
    }

    @Test func transportFailureInTheHMGETRound() {
        let redis = seeded()
        redis.failWhen = { $0[0] == b("HMGET") }
        let s = sampler(CeleryConfiguration())
        expectNothingCurrent(s.poll(using: redis, now: t0 + 1), stage: .unacked)
    }

    @Test func connectionFailuresAreAttributedToConnect() {
        let redis = seeded()
        redis.failWhen = { _ in true }
        redis.failure = RedisError.connect(endpoint: "127.0.0.1:6379", reason: "Connection refused")
        let s = sampler(CeleryConfiguration())
        let snap = s.poll(using: redis, now: t0 + 1)
        expectNothingCurrent(snap, stage: .connect)
        #expect(snap.failure?.reason == "cannot connect to Redis at 127.0.0.1:6379: Connection refused")
        redis.failure = RedisError.backingOff(retryAfter: .seconds(1), lastError: .closed)
        expectNothingCurrent(s.poll(using: redis, now: t0 + 1), stage: .connect)
        redis.failure = RedisError.timedOut(operation: "read from 127.0.0.1:6379")
        expectNothingCurrent(s.poll(using: redis, now: t0 + 1), stage: .discovery)
    }

    @Test func replyCountMismatchFailsTheStage() {
        final class Short: RedisCommandExecuting {
            func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] { [.integer(1)] }
        }
        let s = sampler(CeleryConfiguration(queues: ["celery"], discoverQueues: false))
        let snap = s.poll(using: Short(), now: t0 + 1)
        #expect(snap.failure?.stage == .queues)
        // The readiness body and the status page show a sentence, not Swift's dump of the case.
        let reason = snap.failure?.reason ?? ""
        #expect(reason.hasPrefix("Redis answered a pipeline of ") && reason.hasSuffix(" commands with 1 replies"))
    }

    @Test func connectFailureSnapshotForTheCaller() {
        let snap = Snapshot.failure(stage: .connect, timestamp: t0, pollDuration: 0.5, reason: "no connection")
        #expect(
            !snap.succeeded && snap.failure == PollFailure(stage: .connect, reason: "no connection")
                && snap.sampled == nil)
        #expect(PollStage.allCases.map(\.rawValue) == ["connect", "discovery", "queues", "unacked", "census"])
    }
}
