import JSON

/// Reads the few top-level fields of a Celery result meta (`celery-task-meta-<id>`, JSON)
/// that the exporter uses, in one forward pass that builds nothing for what it skips: a result,
/// traceback or `args` of many megabytes costs only the time to walk over it, never memory.
///
/// **Where the fields are.** Celery 5 builds every meta in one order (`Backend._get_result_meta`,
/// then `_store_result` adds `task_id`; checked with celery 5.7.0 and 5.5.3):
///
///     {"status": …, "result": …, "traceback": …, "children": […], "date_done": …,
///      ["group_id": …,] ["parent_id": …,]
///      ["name": …, "args": […], "kwargs": {…}, "worker": …, "retries": …, "queue": …,]  (result_extended)
///      "task_id": "…"}
///
/// so `status` ends within the first 25 bytes, and what the census reads inside `result` (an
/// exception's `exc_type`, which Celery writes first, and a STARTED meta's `{"pid": …, "hostname":
/// …}`) follows right after. That is why a value too large to read whole can be classified from
/// its first bytes: ``scan(_:whole:)`` with `whole: false` reports what it found before the bytes
/// ran out (``Outcome/truncated(_:)``), and the caller decides what it can trust.
///
/// **Only top-level members count.** A result payload that contains `"status": "FAILURE"`, in a
/// string or as a key of a nested object, is skipped like any other value; escaped quotes inside
/// strings are honoured; keys are compared after their escapes are resolved. Duplicate keys keep
/// the last value, as Python's `json.loads` does (and ``JSONValue`` too). Nesting is tracked in a
/// stack of flags, never by recursion, and deeper than ``maxDepth`` is an error. The grammar is
/// JSON's plus Python's `NaN`/`Infinity` literals, like ``JSONValue/parse(_:maxDepth:)``.
struct TaskMetaScanner {
    /// The fields read; nil when absent or not a string. `name` and `hostname` are kept whole (their
    /// size is bounded by the bytes scanned): ``LabelValueLimit`` shortens them with a hash of the
    /// whole name, which must match the worker registry's and the other task-name tables'.
    struct Fields: Equatable, Sendable {
        /// Top-level `status` (at most ``statusCap`` bytes: a longer one is kept cut, which matches
        /// no Celery state and so counts as a custom one).
        var status: String?
        /// Top-level `name` (`result_extended`).
        var name: String?
        /// `result.exc_type` when `result` is an object (nil beyond ``excTypeCap`` bytes: no
        /// exception name the census looks for is that long).
        var excType: String?
        /// `result.hostname` when `result` is an object.
        var hostname: String?
        /// Whether the value is a JSON object (as far as the bytes go).
        var isObject = false
    }

    /// What a scan found.
    enum Outcome: Equatable, Sendable {
        /// The bytes hold exactly one JSON value; its top-level fields (all nil unless an object).
        case complete(Fields)
        /// The bytes ended inside the value (a prefix of a larger one); the fields seen before.
        case truncated(Fields)
        /// Not JSON, or nested deeper than ``maxDepth``.
        case malformed(JSONError)
    }

    /// Deepest nesting accepted (the same hard limit as ``JSONParser``).
    static let maxDepth = 512
    /// Longest `status` kept (the longest Celery state is 8 bytes).
    static let statusCap = 64
    /// Longest `result.exc_type` kept.
    static let excTypeCap = 256

    /// Scans `bytes`, a whole value (`whole: true`: bytes after the value are an error) or the first
    /// bytes of one (`whole: false`: running out of bytes is ``Outcome/truncated(_:)``; with
    /// `whole: true` it is ``Outcome/malformed(_:)``).
    static func scan(_ bytes: [UInt8], whole: Bool) -> Outcome {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = TaskMetaScanner(bytes: buffer, whole: whole)
            do throws(Stop) {
                try scanner.scanDocument()
                return .complete(scanner.fields)
            } catch {
                switch error {
                case .end(let offset):
                    return whole ? .malformed(JSONError(.unexpectedEnd, at: offset)) : .truncated(scanner.fields)
                case .malformed(let failure):
                    return .malformed(failure)
                }
            }
        }
    }

    // MARK: - Implementation

    /// Why a scan stopped early.
    private enum Stop: Error {
        /// The bytes ran out at this offset.
        case end(Int)
        /// A grammar error.
        case malformed(JSONError)

        /// `unexpectedEnd` is the bytes running out; any other kind, a grammar error.
        init(_ error: JSONError) {
            self = error.kind == .unexpectedEnd ? .end(error.offset) : .malformed(error)
        }
    }

    /// The top-level keys the scanner reads, and the members of `result` it reads.
    private enum Key {
        case status, result, name, excType, hostname, other

        private static let names: [(text: [UInt8], key: Key)] = [
            (Array("status".utf8), .status), (Array("result".utf8), .result), (Array("name".utf8), .name),
            (Array("exc_type".utf8), .excType), (Array("hostname".utf8), .hostname),
        ]

        init(_ bytes: [UInt8]) {
            self = Key.names.first { $0.text == bytes }?.key ?? .other
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    /// Whether `bytes` is the whole value (else a number touching the end may go on unseen).
    private let whole: Bool
    private var index = 0
    private(set) var fields = Fields()

    private init(bytes: UnsafeBufferPointer<UInt8>, whole: Bool) {
        self.bytes = bytes
        self.whole = whole
    }

    private mutating func scanDocument() throws(Stop) {
        skipWhitespace()
        if try peek() == UInt8(ascii: "{") {
            try scanTopObject()
        } else {
            try skipValue()  // valid JSON but not a meta: no fields
        }
        skipWhitespace()
        if index < bytes.count { throw .malformed(JSONError(.trailingData, at: index)) }
    }

    /// The top-level object: reads the known keys, skips every other value.
    private mutating func scanTopObject() throws(Stop) {
        index += 1  // {
        fields.isObject = true
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let key = try readKey()
            switch key {
            case .status:
                fields.status = try readString(cap: TaskMetaScanner.statusCap, keepCut: true)
            case .name:
                fields.name = try readString(cap: .max, keepCut: false)
            case .result:
                fields.excType = nil
                fields.hostname = nil
                if try peek() == UInt8(ascii: "{") {
                    try scanResultObject()
                } else {
                    try skipValue()
                }
            case .excType, .hostname, .other:
                try skipValue()
            }
            if try endOfMember(close: UInt8(ascii: "}")) { return }
        }
    }

    /// `result` when it is an object: reads `exc_type` and `hostname`, skips the rest.
    private mutating func scanResultObject() throws(Stop) {
        index += 1  // {
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            switch try readKey() {
            case .excType: fields.excType = try readString(cap: TaskMetaScanner.excTypeCap, keepCut: false)
            case .hostname: fields.hostname = try readString(cap: .max, keepCut: false)
            case .status, .result, .name, .other: try skipValue()
            }
            if try endOfMember(close: UInt8(ascii: "}")) { return }
        }
    }

    /// Reads `"key" :` (whitespace around) and returns which key it is; the index is then at the value.
    private mutating func readKey() throws(Stop) -> Key {
        skipWhitespace()
        guard try peek() == UInt8(ascii: "\"") else { throw .malformed(JSONError(.unexpectedByte, at: index)) }
        let (text, cut) = try readStringBytes(cap: 16)
        skipWhitespace()
        guard try peek() == UInt8(ascii: ":") else { throw .malformed(JSONError(.unexpectedByte, at: index)) }
        index += 1
        skipWhitespace()
        return cut ? .other : Key(text)
    }

    /// After a member's value: true at the container's closing byte, false at `,` (more follow).
    private mutating func endOfMember(close: UInt8) throws(Stop) -> Bool {
        skipWhitespace()
        let byte = try peek()
        index += 1
        if byte == UInt8(ascii: ",") { return false }
        if byte == close { return true }
        throw .malformed(JSONError(.unexpectedByte, at: index - 1))
    }

    /// A string value's text (nil when the value is not a string, or longer than `cap` unless
    /// `keepCut`, which keeps its first `cap` bytes); any other value is skipped.
    private mutating func readString(cap: Int, keepCut: Bool) throws(Stop) -> String? {
        guard try peek() == UInt8(ascii: "\"") else {
            try skipValue()
            return nil
        }
        let (text, cut) = try readStringBytes(cap: cap)
        if cut && !keepCut { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// Reads a string (index at its opening quote) with escapes resolved, keeping at most `cap`
    /// bytes; `cut` tells whether there were more.
    private mutating func readStringBytes(cap: Int) throws(Stop) -> (text: [UInt8], cut: Bool) {
        index += 1  // opening quote
        var out: [UInt8] = []
        var cut = false
        func keep(_ byte: UInt8) {
            if out.count < cap { out.append(byte) } else { cut = true }
        }
        while true {
            guard index < bytes.count else { throw .end(index) }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return (out, cut)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw .end(index) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): keep(escape)
                case UInt8(ascii: "b"): keep(0x08)
                case UInt8(ascii: "f"): keep(0x0C)
                case UInt8(ascii: "n"): keep(0x0A)
                case UInt8(ascii: "r"): keep(0x0D)
                case UInt8(ascii: "t"): keep(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try readUnicodeEscape()
                    for unit in UTF8.encode(scalar) ?? UTF8.encode("\u{FFFD}")! { keep(unit) }
                default:
                    throw .malformed(JSONError(.invalidEscape, at: index - 1))
                }
            case 0..<0x20:
                throw .malformed(JSONError(.controlCharacterInString, at: index - 1))
            default:
                keep(byte)
            }
        }
    }

    /// The scalar of a `\u` escape (index at its hex digits), read as ``JSONUnicodeEscape`` reads
    /// it for ``JSONValue``; bytes running out inside it stop the scan at ``Stop/end(_:)``.
    private mutating func readUnicodeEscape() throws(Stop) -> Unicode.Scalar {
        do throws(JSONError) { return try JSONUnicodeEscape.scalar(in: bytes, at: &index) } catch { throw Stop(error) }
    }

    /// Skips the four hex digits of a `\u` escape.
    private mutating func skipHex4() throws(Stop) {
        do throws(JSONError) { _ = try JSONUnicodeEscape.hex4(in: bytes, at: &index) } catch { throw Stop(error) }
    }

    // MARK: Skipping

    /// Skips one value of any size and nesting (index at its first byte), validating its grammar,
    /// without recursion: the open containers are a stack (true = object), ``maxDepth`` deep.
    private mutating func skipValue() throws(Stop) {
        var open: [Bool] = []  // allocates only for nested containers
        value: while true {
            // At the start of a value.
            skipWhitespace()
            let first = try peek()
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                // Counted before looking inside, so an empty innermost container counts too.
                guard open.count < TaskMetaScanner.maxDepth else { throw .malformed(JSONError(.tooDeep, at: index)) }
            }
            switch first {
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if try peek() != UInt8(ascii: "}") {
                    open.append(true)
                    try skipKey()
                    continue value
                }
                index += 1
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if try peek() != UInt8(ascii: "]") {
                    open.append(false)
                    continue value
                }
                index += 1
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "t"): try expectLiteral("true")
            case UInt8(ascii: "f"): try expectLiteral("false")
            case UInt8(ascii: "n"): try expectLiteral("null")
            case UInt8(ascii: "N"): try expectLiteral("NaN")
            case UInt8(ascii: "I"): try expectLiteral("Infinity")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
            default: throw .malformed(JSONError(.unexpectedByte, at: index))
            }
            // A value ended: close the containers it ends, or go on to the next member or element.
            while let object = open.last {
                skipWhitespace()
                let byte = try peek()
                index += 1
                if byte == UInt8(ascii: ",") {
                    if object { try skipKey() }
                    continue value
                }
                guard byte == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw .malformed(JSONError(.unexpectedByte, at: index - 1))
                }
                open.removeLast()
            }
            return
        }
    }

    /// Skips `"key" :` inside a skipped object.
    private mutating func skipKey() throws(Stop) {
        skipWhitespace()
        guard try peek() == UInt8(ascii: "\"") else { throw .malformed(JSONError(.unexpectedByte, at: index)) }
        try skipString()
        skipWhitespace()
        guard try peek() == UInt8(ascii: ":") else { throw .malformed(JSONError(.unexpectedByte, at: index)) }
        index += 1
    }

    /// Skips a string (index at its opening quote): the hot loop over large payloads.
    private mutating func skipString() throws(Stop) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { throw .end(bytes.count) }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    index += 2
                    try skipHex4()
                default:
                    throw .malformed(JSONError(.invalidEscape, at: index + 1))
                }
                continue
            }
            if byte < 0x20 { throw .malformed(JSONError(.controlCharacterInString, at: index)) }
            index += 1
        }
        throw .end(index)
    }

    /// Skips a number, checking JSON's grammar (and Python's `-Infinity`).
    private mutating func skipNumber() throws(Stop) {
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            if try peek() == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return
            }
        }
        let first = try peek()
        if first == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(first) {
            skipDigits()
        } else {
            throw .malformed(JSONError(.invalidNumber, at: index))
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(try peek()) else { throw .malformed(JSONError(.invalidNumber, at: index)) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if try peek() == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(try peek()) else { throw .malformed(JSONError(.invalidNumber, at: index)) }
            skipDigits()
        }
        // A number at the very end of a prefix may go on in the bytes not read.
        if !whole && index == bytes.count { throw .end(index) }
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Stop) {
        do throws(JSONError) { try JSONScanning.expectLiteral(literal, in: bytes, at: &index) } catch {
            throw Stop(error)
        }
    }

    private func peek() throws(Stop) -> UInt8 {
        guard index < bytes.count else { throw .end(index) }
        return bytes[index]
    }

    private mutating func skipWhitespace() { JSONScanning.skipWhitespace(in: bytes, at: &index) }

    private func isDigit(_ b: UInt8) -> Bool { JSONScanning.isDigit(b) }
}
