/// Parses the ISO-8601 timestamps Celery writes into message headers (`headers.eta`,
/// `headers.expires`) and result metas (`date_done`), e.g. `2026-11-25T16:56:20.530675+00:00`
/// into Unix seconds. No Foundation: a small hand parser.
public enum ISO8601Timestamp {
    /// Unix seconds for `text`, or nil when it is not a timestamp this parser understands.
    ///
    /// Accepted: `YYYY-MM-DD` followed by `T`, `t` or a space, `HH:MM[:SS[.fraction]]`, then an
    /// optional offset `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without an offset the time is read as UTC
    /// (Celery ≥ 4 always writes one; a naive time comes from `enable_utc` deployments).
    /// Fields are range-checked (month 1–12, day within the month, hour 0–23 or 24:00:00,
    /// minute 0–59, second 0–60 for a leap second).
    public static func parse(_ text: String) -> Double? {
        var reader = Reader(bytes: Array(text.utf8))
        return reader.parse()
    }

    /// Days from 1970-01-01 to the civil date `year-month-day` (proleptic Gregorian calendar;
    /// Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func parse() -> Double? {
            guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2)
            else { return nil }
            guard (1...12).contains(month), (1...ISO8601Timestamp.daysInMonth(year: year, month: month)).contains(day)
            else { return nil }
            guard index < bytes.count,
                bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t")
                    || bytes[index] == UInt8(ascii: " ")
            else { return nil }
            index += 1
            guard let hour = digits(2), expect(":"), let minute = digits(2) else { return nil }
            var second = 0
            var fraction = 0.0
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                guard let s = digits(2) else { return nil }
                second = s
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    var scale = 0.1
                    var count = 0
                    while index < bytes.count, let d = digit(bytes[index]) {
                        if count < 15 {
                            fraction += Double(d) * scale
                            scale /= 10
                        }
                        count += 1
                        index += 1
                    }
                    guard count > 0 else { return nil }
                }
            }
            let isMidnightEnd = hour == 24 && minute == 0 && second == 0 && fraction == 0
            guard (0...23).contains(hour) || isMidnightEnd, (0...59).contains(minute), (0...60).contains(second)
            else { return nil }
            var offsetSeconds = 0
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    index += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    index += 1
                    guard let oh = digits(2), oh <= 23 else { return nil }
                    var om = 0
                    if index < bytes.count {
                        if bytes[index] == UInt8(ascii: ":") { index += 1 }
                        guard let m = digits(2), m <= 59 else { return nil }
                        om = m
                    }
                    offsetSeconds = sign * (oh * 3600 + om * 60)
                default:
                    return nil
                }
            }
            guard index == bytes.count else { return nil }
            let days = ISO8601Timestamp.daysFromCivil(year: year, month: month, day: day)
            let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
            return Double(whole) + fraction
        }

        private mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<count {
                guard let d = digit(bytes[index]) else { return nil }
                value = value * 10 + d
                index += 1
            }
            return value
        }

        private func digit(_ b: UInt8) -> Int? {
            b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? Int(b - UInt8(ascii: "0")) : nil
        }

        private mutating func expect(_ c: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: c) else { return false }
            index += 1
            return true
        }
    }
}
