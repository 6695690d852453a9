import Redis

extension Sampler {
    /// One non-empty priority list in this poll's backlog stage.
    private struct BacklogList {
        let queue: String
        let key: [UInt8]
        let length: Int64
        let wantOldest: Int
        let wantNewest: Int
        var window: BacklogWindow
        var plan = BacklogWindow.Plan()
        /// The script's probe found the list's messages too large to copy (nothing was read).
        var huge = false
    }

    /// One script call of phase 2, and where its answer goes.
    private struct BacklogCall {
        enum Part { case oldest, newestRead, newestRefill }
        let list: Int
        let part: Part
        let run: BacklogScript.Run
    }

    /// The backlog stage: which tasks the waiting messages of each queue are (``QueueBacklog``).
    ///
    /// A queue of at most ``CeleryConfiguration/queueSampleLimit`` messages (all priority lists, as
    /// `queue_length` counts them) is read whole; a larger one by each list's share of the limit,
    /// half from its oldest end and half from its newest. Only the `task` header comes back
    /// (``BacklogScript``), and messages once read are remembered while they stay in their list's
    /// window (``BacklogWindow``), so a poll reads only what moved: one round trip for the ends of
    /// the remembered lists, one (or more, by reply bytes) for the new messages, within
    /// ``BacklogTracker/copyBytesPerPoll``. Off (nil breakdowns, no Redis calls) when the limit or
    /// the task-name limit is 0. Throws only transport failures.
    func readBacklog(
        queueStates: inout [String: QueueSnapshot], using redis: any RedisCommandExecuting, now: Double,
        errors: inout [PollStage: Int]
    ) throws {
        let limit = configuration.queueSampleLimit
        guard limit > 0, taskNames.isEnabled else { return }
        var lists = backlogLists(queueStates: queueStates, limit: limit)
        let script = BacklogScript(windowBytes: configuration.valueReadBudget.sliceBytes)
        defer { backlog.finishPoll(polled: Set(lists.map(\.key))) }

        // Phase 1: the ends of remembered lists. A huge tail is trusted while its list does not
        // shrink (kombu pops there; pushes go to the head), a huge head while the length is equal,
        // as the tail stage trusts huge tails: not copied again every poll.
        var ends = [BacklogWindow.Ends](repeating: BacklogWindow.Ends(), count: lists.count)
        var endRuns: [(list: Int, head: Bool, run: BacklogScript.Run)] = []
        for i in lists.indices where lists[i].window.tooLarge {
            if lists[i].window.length == lists[i].length {
                lists[i].huge = true
            } else {
                lists[i].window = BacklogWindow(length: lists[i].length)
            }
        }
        for (i, list) in lists.enumerated() where !(list.window.oldest.isEmpty && list.window.newest.isEmpty) {
            let sameLength = list.window.length == list.length
            if let tail = list.window.oldest.first, list.length >= list.window.length,
                tail.bytes >= HugeTailCache.hugeBytes
            {
                ends[i].tail = tail
            } else if !list.window.oldest.isEmpty {
                endRuns.append((i, false, .init(key: list.key, start: -1, step: -1, count: 1, copyBudget: 1)))
            }
            guard list.wantNewest > 0, let head = list.window.newest.first else { continue }
            if sameLength, head.bytes >= HugeTailCache.hugeBytes {
                ends[i].head = head
            } else {
                endRuns.append((i, true, .init(key: list.key, start: 0, step: 1, count: 1, copyBudget: 1)))
            }
        }
        var copied = 0
        guard let endAnswers = try runBacklog(endRuns.map(\.run), script: script, using: redis, now: now) else {
            return backlogRefused(&lists, queueStates: &queueStates, now: now)
        }
        for (k, answer) in endAnswers.enumerated() {
            let (i, isHead, _) = endRuns[k]
            if answer == .huge { lists[i].huge = true }
            guard case .entries(let read, let bytes) = answer else {
                noteBacklogError(answer, key: lists[i].key, errors: &errors)
                continue
            }
            copied = copied.addingSaturating(bytes)
            if isHead { ends[i].head = read.first } else { ends[i].tail = read.first }
        }

        // Phase 2: what the ends say is missing.
        var calls: [BacklogCall] = []
        for i in lists.indices where !lists[i].huge {
            let plan = lists[i].window.plan(
                ends: ends[i], length: lists[i].length, wantOldest: lists[i].wantOldest,
                wantNewest: lists[i].wantNewest)
            lists[i].plan = plan
            let window = lists[i].window
            let key = lists[i].key
            if plan.oldestRefill > 0 {
                calls.append(
                    BacklogCall(
                        list: i, part: .oldest,
                        run: .init(
                            key: key, start: -(window.oldest.count + 1), step: -1, count: plan.oldestRefill,
                            copyBudget: 0)))
            }
            if plan.newestRead > 0 {
                calls.append(
                    BacklogCall(
                        list: i, part: .newestRead,
                        run: .init(key: key, start: 0, step: 1, count: plan.newestRead, copyBudget: 0)))
            }
            if plan.newestRefill > 0 {
                calls.append(
                    BacklogCall(
                        list: i, part: .newestRefill,
                        run: .init(
                            key: key, start: window.newest.count, step: 1, count: plan.newestRefill, copyBudget: 0)))
            }
        }
        // Calls of at most maxElementsPerCall elements each, sharing what is left of the poll's copy
        // budget; a run's later calls are dropped once one stopped early (its elements would not
        // be contiguous).
        var pieces: [(call: Int, asked: Int, run: BacklogScript.Run)] = []
        for (c, call) in calls.enumerated() {
            var offset = 0
            while offset < call.run.count {
                var run = call.run
                run.start += offset * run.step
                run.count = min(BacklogScript.maxElementsPerCall, call.run.count - offset)
                pieces.append((c, run.count, run))
                offset += run.count
            }
        }
        let perCall = pieces.isEmpty ? 0 : max(1, (BacklogTracker.copyBytesPerPoll - copied) / pieces.count)
        for k in pieces.indices { pieces[k].run.copyBudget = perCall }
        guard let answers = try runBacklog(pieces.map(\.run), script: script, using: redis, now: now) else {
            return backlogRefused(&lists, queueStates: &queueStates, now: now)
        }
        var read = [[BacklogEntry]](repeating: [], count: calls.count)
        var stopped = [Bool](repeating: false, count: calls.count)
        for (k, answer) in answers.enumerated() {
            let c = pieces[k].call
            guard !stopped[c] else { continue }
            if answer == .huge {
                lists[calls[c].list].huge = true
                stopped[c] = true
                continue
            }
            guard case .entries(let entries, let bytes) = answer else {
                noteBacklogError(answer, key: calls[c].run.key, errors: &errors)
                stopped[c] = true
                continue
            }
            copied = copied.addingSaturating(bytes)
            backlog.stats.messagesRead += UInt64(entries.count)
            read[c] += entries.map { backlog.intern($0) }
            if entries.count < pieces[k].asked { stopped[c] = true }
        }
        backlog.stats.messagesRead += UInt64(endAnswers.count)
        backlog.stats.bytesCopied = backlog.stats.bytesCopied.addingSaturating(UInt64(copied))
        for (c, call) in calls.enumerated() {
            let i = call.list
            switch call.part {
            case .oldest: lists[i].window.oldest += read[c]
            case .newestRead:
                lists[i].window.applyHead(read[c], verify: lists[i].plan.verifyHead, want: lists[i].wantNewest)
            case .newestRefill: lists[i].window.newest += read[c]
            }
        }
        for i in lists.indices where lists[i].huge {
            lists[i].window = BacklogWindow(length: lists[i].length, tooLarge: true)
        }
        for list in lists { backlog.windows[list.key] = list.window }
        foldBacklog(lists, queueStates: &queueStates)
    }

    /// The non-empty priority lists to sample, largest queues first, with each list's share of the
    /// limit, within ``BacklogTracker/maxTrackedMessages``; queues past the cap get no lists (their
    /// messages count as pending).
    private func backlogLists(queueStates: [String: QueueSnapshot], limit: Int) -> [BacklogList] {
        var lists: [BacklogList] = []
        var budget = BacklogTracker.maxTrackedMessages
        let queues = queueStates.values.filter { $0.length > 0 }.sorted {
            $0.length != $1.length ? $0.length > $1.length : $0.name < $1.name
        }
        for state in queues {
            var wanted: [(key: [UInt8], length: Int64, oldest: Int, newest: Int)] = []
            for step in KombuKeyLayout.priorityLevels {
                guard let length = state.lengthByPriority[step], length > 0 else { continue }
                let key = layout.queueKey(state.name, priority: step)
                if state.length <= Int64(limit) {
                    wanted.append((key, length, Int(length), 0))
                } else {
                    let share = max(2, Int(Double(limit) * Double(length) / Double(state.length)))
                    if Int64(share) >= length {
                        wanted.append((key, length, Int(length), 0))
                    } else {
                        wanted.append((key, length, (share + 1) / 2, share / 2))
                    }
                }
            }
            let total = wanted.reduce(0) { $0 + $1.oldest + $1.newest }
            guard total <= budget else { continue }
            budget -= total
            for w in wanted {
                lists.append(
                    BacklogList(
                        queue: state.name, key: w.key, length: w.length, wantOldest: w.oldest, wantNewest: w.newest,
                        window: backlog.windows[w.key] ?? BacklogWindow(length: w.length)))
            }
        }
        return lists
    }

    /// Sends `runs` as script calls in pipelined rounds of at most ``ValueReadBudget/roundBytes`` of
    /// replies. Nil when Redis refuses scripting.
    private func runBacklog(
        _ runs: [BacklogScript.Run], script: BacklogScript, using redis: any RedisCommandExecuting, now: Double
    ) throws -> [BacklogScript.Answer]? {
        let elementsPerRound = max(
            BacklogScript.maxElementsPerCall,
            configuration.valueReadBudget.roundBytes / BacklogScript.replyBytesPerElement)
        var answers: [BacklogScript.Answer] = []
        answers.reserveCapacity(runs.count)
        var start = 0
        while start < runs.count {
            var end = start
            var elements = 0
            while end < runs.count, end == start || elements + runs[end].count <= elementsPerRound {
                elements += runs[end].count
                end += 1
            }
            let round = runs[start..<end]
            guard
                let replies = try sliceScript.evaluate(
                    using: redis, now: now,
                    calls: { command, sha in round.map { script.call($0, command: command, sha: sha) } })
            else { return nil }
            answers += replies.map(BacklogScript.answer)
            start = end
        }
        return answers
    }

    /// Redis refuses scripting: no message can be read, every waiting message is counted under
    /// ``BacklogUnclassifiedReason/scriptingUnavailable``, and nothing is remembered.
    private func backlogRefused(_ lists: inout [BacklogList], queueStates: inout [String: QueueSnapshot], now: Double) {
        if let suppressed = backlog.refusalLog.admit(at: now) {
            logger.warning(
                "Redis refused the read-only script: waiting messages are not classified by task name (allow SCRIPT LOAD and EVALSHA_RO, or EVALSHA before Redis 7)",
                metadata: [
                    "reply": "\(RedisError.sanitizedServerText(sliceScript.refusal ?? ""))",
                    "suppressed": "\(suppressed)",
                ])
        }
        lists = []
        for (name, state) in queueStates where state.length > 0 {
            queueStates[name]?.backlog = QueueBacklog(
                exact: false, unclassified: [.scriptingUnavailable: Int(clamping: state.length)])
        }
    }

    private func noteBacklogError(_ answer: BacklogScript.Answer, key: [UInt8], errors: inout [PollStage: Int]) {
        guard case .error(let message) = answer else { return }
        errors[.queues, default: 0] += 1
        warnOnce(key, "queue messages could not be classified by task name", reply: .error(message))
    }

    /// Counts each queue's remembered messages by task label, scaling sampled lists to their length.
    private func foldBacklog(_ lists: [BacklogList], queueStates: inout [String: QueueSnapshot]) {
        typealias Fold = (
            estimates: [String: Double], sampled: Int, exact: Bool, unnamed: Double, covered: Int64, huge: Int64
        )
        var byQueue: [String: Fold] = [:]
        for list in lists {
            let entries = list.window.oldest + list.window.newest
            var fold = byQueue[list.queue] ?? ([:], 0, true, 0, 0, 0)
            if list.huge {
                fold.exact = false
                fold.huge += list.length
                fold.covered += list.length
                byQueue[list.queue] = fold
                continue
            }
            let exact = list.wantNewest == 0
            fold.exact = fold.exact && exact && Int64(entries.count) >= list.length
            fold.sampled += entries.count
            if exact {
                // Not yet read messages of an exact list are pending, not estimated.
                for entry in entries {
                    if let name = entry.name {
                        fold.estimates[taskNames.label(for: name), default: 0] += 1
                    } else {
                        fold.unnamed += 1
                    }
                }
                fold.covered += Int64(entries.count)
            } else if !entries.isEmpty {
                let scale = Double(list.length) / Double(entries.count)
                for entry in entries {
                    if let name = entry.name {
                        fold.estimates[taskNames.label(for: name), default: 0] += scale
                    } else {
                        fold.unnamed += scale
                    }
                }
                fold.covered += list.length
            }
            byQueue[list.queue] = fold
        }
        for (name, state) in queueStates where state.length > 0 {
            guard let fold = byQueue[name] else {
                queueStates[name]?.backlog = QueueBacklog(
                    exact: false, unclassified: [.pending: Int(clamping: state.length)])
                continue
            }
            var unclassified: [BacklogUnclassifiedReason: Int] = [:]
            let unnamed = Int(fold.unnamed.rounded())
            if unnamed > 0 { unclassified[.noTaskName] = unnamed }
            if fold.huge > 0 { unclassified[.tooLarge] = Int(clamping: fold.huge) }
            let pending = Int(clamping: max(0, state.length - fold.covered))
            if pending > 0 { unclassified[.pending] = pending }
            queueStates[name]?.backlog = QueueBacklog(
                byTask: fold.estimates.mapValues { Int($0.rounded()) }.filter { $0.value > 0 },
                sampled: fold.sampled, exact: fold.exact, unclassified: unclassified)
        }
    }
}
