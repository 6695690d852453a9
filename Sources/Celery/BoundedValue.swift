/// One value read from Redis within a ``ValueReadBudget``.
enum BoundedValue: Equatable {
    /// No such key, list element or hash field (a nil reply).
    case absent
    /// The whole value (it was within the whole-value budget).
    case whole([UInt8])
    /// A larger value: its length and its first and last bytes.
    case sliced(length: Int, head: [UInt8], tail: [UInt8])
    /// Too large to read whole and not sliced, for this reason.
    case unread(UnreadReason)
    /// An error reply (e.g. `WRONGTYPE`), as text for logs.
    case error(String)
}
