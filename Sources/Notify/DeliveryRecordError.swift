/// Why a stored delivery record (``DeliveryStore``) was not used. The text never quotes the
/// file's content: it holds alert labels and annotations.
public enum DeliveryRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first line is not the record header: another program's file, or another version's.
    case unknownHeader
    /// The file does not end with the `end` line (a write cut short).
    case truncated
    /// Line `line` (1-based, the header is line 1) is not a record line of a known shape.
    case malformedLine(line: Int)

    /// One line for the log.
    public var description: String {
        switch self {
        case .unknownHeader: return "not a delivery record (unknown header)"
        case .truncated: return "truncated (no end line)"
        case .malformedLine(let line): return "line \(line) is malformed"
        }
    }
}
