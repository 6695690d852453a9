/// What reading one delivery tag's `unacked` value found; ``UnackedTagCache`` keeps it (compactly)
/// across polls, so each payload is fetched and parsed once per tag lifetime (the value under a tag
/// never changes while the tag is in `unacked_index`, except after a restore re-fetch, which
/// rewrites the same routing key).
enum UnackedClassification: Equatable {
    /// Decoded: the queue (routing key) and the fields issue 3 will need. For a value too large to
    /// read whole these come from its head and tail slices; a field not found there is nil.
    case message(queue: String, eta: Double?, taskName: String?, redelivered: Bool, taskID: String? = nil)
    /// The value is not `[message, exchange, routing_key]`; counted, never retried.
    case undecodable
    /// The value is larger than the whole-value budget and its queue could not be read within the
    /// budget (see ``UnreadReason``); counted, not retried while the tag stays in the sample.
    case unread(UnreadReason)
    /// The tag is in `unacked_index` (with this score) but has no `unacked` hash entry: a stale index
    /// member, not a task in flight (kombu writes and removes both in one `MULTI`; its restore sweep
    /// drops such members once they are older than the visibility timeout). Counted apart, never as
    /// in flight. A worker that fetches the tag again re-adds it with a new score, so a changed score
    /// makes the sampler read the hash again.
    case stale(score: Double)
}
