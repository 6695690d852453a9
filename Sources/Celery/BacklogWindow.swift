/// What the backlog stage knows about one priority list between polls: the run of messages read
/// from its tail end (oldest first) and, when the list is sampled, the run read from its head end
/// (newest first).
///
/// kombu consumes from the tail (`BRPOP`), producers push at the head (`LPUSH`) and a restore
/// `RPUSH`es to the tail; nothing is inserted in the middle. So once the element now at the tail
/// is found in ``oldest`` at position `p`, the `p` before it were consumed and the rest are still
/// there, in place: only new elements beyond the run need reading. Likewise an unchanged element at
/// index 0 means the head run is still valid. An end that is not found (a restore, or more consumed
/// than the run holds) makes its run be read again.
struct BacklogWindow {
    /// `LLEN` when the window was last updated.
    var length: Int64
    /// Elements from index −1 towards the head, oldest first.
    var oldest: [BacklogEntry] = []
    /// Elements from index 0 towards the tail, newest first; empty when the whole list is wanted.
    var newest: [BacklogEntry] = []
    /// The script's probe found the list's messages too large to copy (``BacklogScript/Answer/huge``):
    /// not probed again while ``length`` stays the same.
    var tooLarge = false

    /// The ends as read this poll (index −1 and, for a sampled window, index 0).
    struct Ends {
        var tail: BacklogEntry?
        var head: BacklogEntry?
    }

    /// Reads this poll needs for the list, given its ends: how many of ``oldest`` were consumed is
    /// applied here (the run is trimmed), the rest is returned as runs to read.
    struct Plan {
        /// Read `count` from index `−(oldest.count + 1)` towards the head, appended to ``oldest``.
        var oldestRefill = 0
        /// Read from index 0: `count` elements; when `verifyHead`, the last one must be the
        /// previous ``newest`` first element, else the head run is replaced by what was read.
        var newestRead = 0
        var verifyHead = false
        /// Read `count` from index `newest.count` towards the tail, appended to ``newest``.
        var newestRefill = 0
    }

    /// Trims the runs to what `ends` proves still there and plans the reads that bring them to
    /// `wantOldest` and `wantNewest` elements for a list of `length` elements now.
    mutating func plan(ends: Ends, length: Int64, wantOldest: Int, wantNewest: Int) -> Plan {
        var plan = Plan()
        var consumed: Int?
        if let tail = ends.tail, let p = oldest.firstIndex(where: { $0.identity == tail.identity }) {
            oldest.removeFirst(p)
            consumed = p
        } else {
            oldest = []
        }
        if oldest.count > wantOldest { oldest.removeLast(oldest.count - wantOldest) }
        plan.oldestRefill = max(0, wantOldest - oldest.count)

        if wantNewest == 0 {
            newest = []
        } else if let head = ends.head, let first = newest.first, first.identity == head.identity {
            if newest.count > wantNewest { newest.removeLast(newest.count - wantNewest) }
            plan.newestRefill = wantNewest - newest.count
        } else if let consumed, !newest.isEmpty,
            case let pushed = Int(clamping: length - self.length) + consumed, pushed > 0, pushed < wantNewest
        {
            plan.newestRead = pushed + 1
            plan.verifyHead = true
        } else {
            newest = []
            plan.newestRead = wantNewest
        }
        self.length = length
        return plan
    }

    /// Folds the head read of ``Plan/newestRead`` in.
    mutating func applyHead(_ read: [BacklogEntry], verify: Bool, want: Int) {
        if verify, let last = read.last, let first = newest.first, last.identity == first.identity {
            newest = Array(read.dropLast()) + newest
        } else {
            newest = read
        }
        if newest.count > want { newest.removeLast(newest.count - want) }
    }
}
