/// A phase of one poll, in the order the poll runs them (rules last: the exporter evaluates alert
/// rules after the poll). Bounded names, used as the `phase` label of
/// `celery_redis_poll_phase_seconds`.
public enum PollPhase: String, Sendable, CaseIterable, Hashable {
    /// Queue discovery (`SCAN _kombu.binding.*`, `SMEMBERS`, the depth probe); 0 when not due.
    case discovery
    /// The main round: `LLEN` of every queue and priority list, `ZCARD`/`ZCOUNT`/`ZRANGE` of
    /// `unacked_index`, and reading their replies.
    case queues
    /// Sizing (`HSTRLEN`) and classification reads (`HMGET`, slices) of new `unacked` entries,
    /// and folding them into the per-queue counts.
    case unacked
    /// Census fold-in: the binding tables its pass found, its counts and the orphaned tasks.
    case foldIn = "fold_in"
    /// Waiting messages by task name (`celery_redis_queue_tasks_by_name`): the ends of remembered
    /// lists, then the messages not read yet; 0 when off.
    case backlog
    /// Queue tail reads (oldest waiting message), including the poll's one huge read; last.
    case tails
    /// Alert rule evaluation. Not measured by the sampler: the exporter fills it in with the
    /// evaluation after the previous poll (this poll's runs on the series built from it).
    case rules
}
