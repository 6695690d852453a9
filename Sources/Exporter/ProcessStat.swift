/// The fields of `/proc/self/stat` that the standard `process_*` metrics need, parsed from the
/// line's text (see proc(5)). The command name (field 2) is in parentheses and may itself contain
/// spaces and parentheses, so fields are counted from the last `)`.
struct ProcessStat: Equatable {
    /// `utime` + `stime` (fields 14 and 15), in clock ticks.
    var cpuTicks: UInt64
    /// `starttime` (field 22): clock ticks after boot at which the process started.
    var startTicks: UInt64
    /// `vsize` (field 23), bytes.
    var virtualBytes: UInt64
    /// `rss` (field 24), pages.
    var residentPages: UInt64

    /// Parses one stat line; nil when it is not one (too few fields, a field not a number).
    init?(_ bytes: [UInt8]) {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields from 3 (state) on, separated by single spaces.
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        func number(_ field: Int) -> UInt64? {
            let index = field - 3
            guard index < fields.count else { return nil }
            let digits = fields[fields.startIndex + index].filter { $0 != UInt8(ascii: "\n") }
            guard !digits.isEmpty else { return nil }
            return ProcessStat.decimal(digits)
        }
        guard let utime = number(14), let stime = number(15), let start = number(22), let vsize = number(23),
            let rss = number(24)
        else { return nil }
        cpuTicks = utime &+ stime
        startTicks = start
        virtualBytes = vsize
        residentPages = rss
    }

    /// The `btime` of `/proc/stat`: the boot time in Unix seconds.
    static func bootTime(_ procStat: [UInt8]) -> UInt64? {
        for line in procStat.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("btime ".utf8)) {
            return decimal(line.dropFirst(6))
        }
        return nil
    }

    /// The unsigned decimal `digits` (0 when empty); nil on any other byte or on overflow.
    private static func decimal(_ digits: some Sequence<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for b in digits {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
}
