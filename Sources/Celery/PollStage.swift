/// The step of a poll that failed or produced error replies. Bounded names, safe as a metric label
/// (`poll_errors_total{stage}`); error text never goes into a label.
public enum PollStage: String, Sendable, CaseIterable, Hashable {
    /// Getting a usable connection: `RedisError` connect/TLS/auth/backoff failures thrown from any
    /// round, or a caller that could not hand the sampler a connection (it builds the snapshot with
    /// `Snapshot.failure(stage: .connect, …)`).
    case connect
    /// `SCAN _kombu.binding.*` and `SMEMBERS` of each binding table.
    case discovery
    /// The main round: `LLEN` of every queue and priority list (and the unacked totals with it),
    /// then the tails of the non-empty lists.
    case queues
    /// `unacked_index` / `unacked` reads: totals, the oldest-first sample, `HMGET` of new tags.
    case unacked
    /// The result-backend census (`SCAN … celery-task-meta-*`, `GET`, `PTTL`). Never fails a poll:
    /// its transport failures and error replies are counted in ``SampledState/commandErrors`` and the
    /// pass resumes from the same cursor on the next poll.
    case census
}
