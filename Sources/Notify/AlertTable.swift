/// A group's alerts by fingerprint, small while the group is small: an array up to
/// ``arrayLimit`` alerts (most groups hold one alert, and a one-element array costs ~110 bytes
/// where a one-entry dictionary costs ~250; with 1200 alerts on 20 routes that is 24,000
/// tables), a dictionary past it, so large groups keep constant-time lookups.
struct AlertTable: Sendable {
    /// Alerts kept in the array form at most.
    static let arrayLimit = 16

    private var few: [NotifiableAlert] = []
    private var many: [String: NotifiableAlert]?

    /// An empty table.
    init() {}

    /// A table of one alert. Groups of other routes that hold only this alert are given the
    /// same table, so they share one array until one of them changes.
    init(only alert: NotifiableAlert) {
        few = [alert]
    }

    /// The alert when the table holds exactly one (in the array form).
    var only: NotifiableAlert? { many == nil && few.count == 1 ? few[0] : nil }

    /// True when the table is empty or holds only the alert with `fingerprint`.
    func holdsAtMost(_ fingerprint: String) -> Bool {
        many == nil && (few.isEmpty || (few.count == 1 && few[0].fingerprint == fingerprint))
    }

    /// True when the table holds no alert.
    var isEmpty: Bool { many.map(\.isEmpty) ?? few.isEmpty }

    /// The alerts, in no particular order.
    var values: [NotifiableAlert] { many.map { Array($0.values) } ?? few }

    /// The alert with fingerprint `fingerprint`; setting nil removes it.
    subscript(fingerprint: String) -> NotifiableAlert? {
        get {
            if let many { return many[fingerprint] }
            return few.first { $0.fingerprint == fingerprint }
        }
        set {
            if many != nil {
                many![fingerprint] = newValue
                return
            }
            if let i = few.firstIndex(where: { $0.fingerprint == fingerprint }) {
                if let newValue { few[i] = newValue } else { few.remove(at: i) }
            } else if let newValue {
                few.append(newValue)
                if few.count > Self.arrayLimit {
                    many = Dictionary(few.map { ($0.fingerprint, $0) }, uniquingKeysWith: { $1 })
                    few = []
                }
            }
        }
    }
}
