/// One waiting message as the backlog stage remembers it: who it is and which task it runs.
///
/// Read once by ``BacklogScript`` (never its body) and kept while it stays in its list's sampled
/// window (``BacklogWindow``): a message in a list never changes, only the ends of the list move.
struct BacklogEntry: Equatable {
    /// FNV-1a of the element's length and its `id` header: tells whether the element at an end of
    /// the list is still the one read earlier.
    var identity: UInt64
    /// The element's size in bytes (what Redis copied to read it).
    var bytes: Int
    /// The `task` header (cut to ``BacklogScript/nameBytes``); nil when the element has none that
    /// is valid UTF-8 without control characters (malformed or forged, or kombu protocol 1).
    var name: String?
}
