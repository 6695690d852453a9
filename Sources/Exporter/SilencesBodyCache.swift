import Alerting
import Notify
import Synchronization

/// The unfiltered `GET /api/v2/silences` body, rendered once and shared by every request (as
/// `/metrics` is) until the store changes or a silence changes state: up to ~100 MB with 2,000
/// large silences, which a fresh copy per request (held by each client that does not read it)
/// would multiply.
final class SilencesBodyCache: Sendable {
    private struct Entry {
        var generation: UInt64
        /// The body says the same from `validFrom` up to (not including) `validUntil`: the next
        /// start, end or end of retention of a silence.
        var validFrom: Double
        var validUntil: Double
        var body: [UInt8]
    }

    private let entry = Mutex<Entry?>(nil)

    /// The body for `now`, rendered only when the store changed or a silence's state did.
    func body(_ store: SilenceStore, now: Double) -> [UInt8] {
        let generation = store.generation
        if let cached = entry.withLock({ $0 }), cached.generation == generation, cached.validFrom <= now,
            now < cached.validUntil
        {
            return cached.body
        }
        let list = store.list(now: now)
        let body = AlertmanagerAPIv2.silences(list, now: now)
        var validUntil = Double.infinity
        for s in list {
            for t in [s.startsAt, s.endsAt, s.endsAt + store.limits.retention] where t > now {
                validUntil = min(validUntil, t)
            }
        }
        // Kept only when nothing changed while listing (`list` may itself drop expired ones).
        if store.generation == generation {
            entry.withLock {
                $0 = Entry(
                    generation: generation, validFrom: now, validUntil: validUntil, body: body)
            }
        }
        return body
    }
}
