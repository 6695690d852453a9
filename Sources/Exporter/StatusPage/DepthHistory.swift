/// Queue depth over the last hour for the status page's sparklines: one fixed ring of
/// ``slotCount`` slots of ``slotSeconds`` per queue, kept in memory only.
///
/// Memory is bounded by construction: at most ``maximumQueues`` series of ``slotCount`` `Int64`s
/// (1,000 × 120 × 8 B ≈ 1 MB, plus names of at most 256 B each). A queue that leaves the poll's
/// queue list loses its series at the next ``record(_:at:)``, so the table heals. With more queues
/// than the cap, the deepest keep (or get) a series and the rest get no sparkline (counted in
/// ``untracked``, shown on the page, logged).
///
/// Confined to the poller thread (a value type owned by ``StatusPage`` under its lock).
struct DepthHistory: Sendable {
    /// Seconds per slot.
    static let slotSeconds = 30.0
    /// Slots kept: one hour.
    static let slotCount = 120
    /// Series kept at most.
    static let maximumQueues = 1_000

    private struct Series: Sendable {
        /// Ring of the largest depth seen per slot; -1 where no poll ran.
        var values = [Int64](repeating: -1, count: DepthHistory.slotCount)
        /// Absolute slot number (`floor(t / slotSeconds)`) of the newest value.
        var newestSlot: Int

        /// Moves the newest slot to `slot`, clearing the slots skipped (no poll ran in them). A
        /// clock stepping back keeps the newest slot, so values land in it rather than in the past.
        mutating func advance(to slot: Int) {
            guard slot > newestSlot else { return }
            let gap = min(slot - newestSlot, DepthHistory.slotCount)
            for k in 1...gap { values[DepthHistory.index(of: newestSlot + k)] = -1 }
            newestSlot = slot
        }
    }

    private var series: [String: Series] = [:]
    private let maximumQueues: Int
    /// Queues of the last ``record(_:at:)`` left without a series because of the cap.
    private(set) var untracked = 0

    init(maximumQueues: Int = DepthHistory.maximumQueues) {
        self.maximumQueues = maximumQueues
    }

    /// Number of series kept.
    var count: Int { series.count }

    /// Records one poll's depths (by queue name) at Unix time `now`, and forgets queues not in it.
    mutating func record(_ depths: [(name: String, depth: Int64)], at now: Double) {
        let slot = Self.slot(of: now)
        var kept = depths
        if depths.count > maximumQueues {
            // More queues than series: keep the deepest (those the page shows first), a queue
            // already tracked before a new one of the same depth, so ties do not churn.
            kept = depths.sorted { a, b in
                if a.depth != b.depth { return a.depth > b.depth }
                let x = series[a.name] != nil
                let y = series[b.name] != nil
                return x != y ? x : a.name < b.name
            }
            kept.removeLast(depths.count - maximumQueues)
        }
        // Forget the queues that left (or lost their place) first, so their room goes to these.
        let present = Set(kept.map(\.name))
        if series.keys.contains(where: { !present.contains($0) }) {
            series = series.filter { present.contains($0.key) }
        }
        for (name, depth) in kept {
            if series[name] == nil { series[name] = Series(newestSlot: slot) }
            series[name]!.advance(to: slot)
            let index = Self.index(of: series[name]!.newestSlot)
            series[name]!.values[index] = max(series[name]!.values[index], depth)
        }
        untracked = depths.count - kept.count
    }

    /// The last hour of `name` at `now`, oldest first (``slotCount`` values, nil where no poll
    /// ran); empty when the queue has no series.
    func values(for name: String, at now: Double) -> [Int64?] {
        guard let s = series[name] else { return [] }
        let slot = Self.slot(of: now)
        return (0..<Self.slotCount).map { offset -> Int64? in
            let wanted = slot - (Self.slotCount - 1) + offset
            // Slots newer than the series' newest were never written; older than a ring ago are gone.
            guard wanted <= s.newestSlot, wanted > s.newestSlot - Self.slotCount else { return nil }
            let value = s.values[Self.index(of: wanted)]
            return value < 0 ? nil : value
        }
    }

    static func slot(of time: Double) -> Int { Int((time / slotSeconds).rounded(.down)) }

    static func index(of slot: Int) -> Int {
        let i = slot % slotCount
        return i < 0 ? i + slotCount : i
    }
}
