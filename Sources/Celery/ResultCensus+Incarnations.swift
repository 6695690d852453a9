extension ResultCensus {
    /// How much earlier than an incarnation's start a STARTED meta must have been first seen to
    /// count as its predecessor's: worker-online and the task's STARTED write may arrive over two
    /// connections (broker and a separate result backend) in either order by a few milliseconds,
    /// while a SIGKILLed worker takes seconds to come back.
    static let incarnationSlack = 1.0

    /// STARTED metas whose task is orphaned (meta-key hashes): the worker named by
    /// `result.hostname` is not in `liveWorkers`, or it is but its current incarnation began
    /// (`incarnationStarts`, Unix time) after the census first saw the meta, so the process
    /// that started the task is gone (SIGKILL and a restart under the same node name).
    ///
    /// The first sighting is used, not the start estimated from the key's TTL: that estimate
    /// depends on `--celery.result-expires` matching Celery's, and a wrong value would make a new
    /// incarnation's own tasks look older than it (a false orphan). A meta the census first saw
    /// after the restart (the exporter started or resubscribed in between) is judged by host name
    /// alone.
    func orphanedStartedKeys(liveWorkers: Set<String>, incarnationStarts: [String: Double]) -> Set<UInt64> {
        shared.withLock { s in
            Set(
                s.table.started.filter { _, info in
                    guard let host = info.hostname else { return false }
                    guard liveWorkers.contains(host) else { return true }
                    guard let since = incarnationStarts[host] else { return false }
                    return info.firstSeen < since - ResultCensus.incarnationSlack
                }.keys)
        }
    }
}
