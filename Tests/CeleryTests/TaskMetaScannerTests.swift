import JSON
import Testing

@testable import Celery

/// Metas laid out exactly as Celery 5.7's `_get_result_meta` + `_store_result` write them (checked
/// against metas stored by celery 5.7.0's own Redis backend), with a payload of any size.
enum LargeMeta {
    /// About `n` bytes of whole `unit`s (never a cut escape), as the inside of a JSON string.
    static func filler(_ n: Int, _ unit: String = "x") -> String {
        String(repeating: unit, count: max(1, n / unit.utf8.count))
    }

    static func success(_ id: String, result: String) -> String {
        #"{"status": "SUCCESS", "result": "\#(result)", "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "\#(id)"}"#
    }

    static func failure(_ id: String, excType: String = "ValueError", message: String, traceback: String) -> String {
        #"{"status": "FAILURE", "result": {"exc_type": "\#(excType)", "exc_message": ["\#(message)"], "exc_module": "builtins"}, "traceback": "\#(traceback)", "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "\#(id)"}"#
    }

    /// `result_extended`: name, args, kwargs, worker, retries, queue after `date_done`.
    static func startedExtended(_ id: String, host: String = "w1@vm", args: String) -> String {
        #"{"status": "STARTED", "result": {"pid": 19859, "hostname": "\#(host)"}, "traceback": null, "children": [], "date_done": null, "name": "app.big", "args": ["\#(args)"], "kwargs": {"tag": "x"}, "worker": "\#(host)", "retries": 0, "queue": "celery", "task_id": "\#(id)"}"#
    }

    static func successExtended(_ id: String, result: String, args: String) -> String {
        #"{"status": "SUCCESS", "result": "\#(result)", "traceback": null, "children": [], "date_done": "2026-11-25T16:53:19.691058+00:00", "name": "app.big", "args": ["\#(args)"], "kwargs": {}, "worker": "w1@vm", "retries": 0, "queue": "celery", "task_id": "\#(id)"}"#
    }

    static func progress(_ id: String, payload: String) -> String {
        #"{"status": "PROGRESS", "result": {"done": 3, "log": "\#(payload)"}, "traceback": null, "children": [], "date_done": null, "task_id": "\#(id)"}"#
    }

    /// A result string that imitates top-level keys, with escaped quotes and backslashes.
    static let imitation =
        #"{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"WorkerLostError\"}} \\\" \"status\": \"REVOKED\""#
}

/// What a pass makes of a value: whole when it fits the head budget, else head + tail.
private func readAsCensus(_ value: [UInt8]) -> TaskMeta {
    let head = ResultCensus.headBytes
    if value.count <= head { return TaskMeta(bytes: value) }
    return TaskMeta(head: Array(value.prefix(head + 1)), tail: Array(value.suffix(ResultCensus.tailBytes)))
}

@Suite struct TaskMetaScannerTests {
    /// Every Celery layout, at 300 KB, classifies from its first 4 KiB and last 64 bytes exactly as
    /// from the whole value.
    @Test func largeCeleryMetasClassifyFromHeadAndTail() {
        let big = LargeMeta.filler(300_000)
        let cases: [(String, TaskMeta)] = [
            (LargeMeta.success("s", result: big), TaskMeta(state: .success)),
            (LargeMeta.failure("f", message: "boom", traceback: big), TaskMeta(state: .failure)),
            (LargeMeta.failure("m", message: big, traceback: big), TaskMeta(state: .failure)),
            (
                LargeMeta.failure(
                    "w", excType: "WorkerLostError", message: "Worker exited prematurely", traceback: big),
                TaskMeta(state: .failure, workerLost: true)
            ),
            (LargeMeta.startedExtended("t", host: "w7@box", args: big), TaskMeta(state: .started, hostname: "w7@box")),
            (LargeMeta.successExtended("e", result: big, args: big), TaskMeta(state: .success)),
            (LargeMeta.progress("p", payload: big), TaskMeta(state: .other)),
            (
                LargeMeta.success("a", result: LargeMeta.imitation + big + LargeMeta.imitation),
                TaskMeta(state: .success)
            ),
        ]
        for (value, expected) in cases {
            let bytes = Array(value.utf8)
            #expect(bytes.count > 300_000)
            #expect(TaskMeta(bytes: bytes) == expected)
            #expect(readAsCensus(bytes) == expected, "\(value.prefix(60))")
        }
    }

    /// Cut anywhere, a meta's first bytes give its true state or `unclassified`: never another
    /// state, never a cut status string taken for a custom state, never a host or exception it
    /// does not hold.
    @Test func everyPrefixGivesTheTrueStateOrUnclassified() {
        let metas = [
            Meta.success("a"), Meta.failure("b"), Meta.workerLost("c"), Meta.started("d", host: "w2@h"),
            Meta.retry("e"),
            LargeMeta.success("f", result: LargeMeta.imitation),
            LargeMeta.startedExtended("g", host: "w3@h", args: LargeMeta.imitation),
            #"{"result": {"status": "FAILURE"}, "status": "SUCCESS", "task_id": "x"}"#,
            #"{"st\u0061tus": "REVOKED", "result": null}"#,
        ]
        for text in metas {
            let value = Array(text.utf8)
            let truth = TaskMeta(bytes: value)
            #expect(truth.state != .unknown && truth.state != .unclassified, "\(text)")
            for cut in 1..<value.count {
                let reading = TaskMeta.reading(head: Array(value.prefix(cut)))
                if reading.needsTail {
                    #expect(reading.meta.state == truth.state, "\(text) cut at \(cut)")
                    #expect(!reading.meta.workerLost || truth.workerLost, "\(text) cut at \(cut)")
                    #expect(
                        reading.meta.hostname == nil || reading.meta.hostname == truth.hostname, "\(text) cut at \(cut)"
                    )
                    #expect(reading.meta.confirmed(byTail: Array(value.suffix(64))) == reading.meta)
                } else {
                    #expect(reading.meta.state == .unclassified, "\(text) cut at \(cut)")
                }
            }
        }
    }

    /// Top-level keys only: strings and nested objects that imitate `status` are skipped; escaped
    /// keys resolve like Python's `json.loads`, and so do duplicates (the last one wins).
    @Test func onlyTopLevelKeysCount() {
        let cases: [(String, TaskMeta)] = [
            (LargeMeta.success("a", result: LargeMeta.imitation), TaskMeta(state: .success)),
            (
                #"{"result": {"status": "FAILURE", "exc_type": "WorkerLostError"}, "status": "SUCCESS"}"#,
                TaskMeta(state: .success)
            ),
            (#"{"result": [{"status": "FAILURE"}], "status": "RETRY"}"#, TaskMeta(state: .retry)),
            (#"{"result": "\\", "status": "SUCCESS"}"#, TaskMeta(state: .success)),
            (#"{"result": "\"status\": \"FAILURE\"", "status": "SUCCESS"}"#, TaskMeta(state: .success)),
            (#"{"st\u0061tus": "FAILURE"}"#, TaskMeta(state: .failure)),
            (#"{"status": "SUCCESS", "status": "FAILURE"}"#, TaskMeta(state: .failure)),
            (
                #"{"status": "FAILURE", "result": {"exc_type": "WorkerLostError"}, "result": {"exc_type": "ValueError"}}"#,
                TaskMeta(state: .failure)
            ),
            (
                #"{"status": "STARTED", "result": {"pid": 1, "meta": {"hostname": "fake@h"}}}"#,
                TaskMeta(state: .started)
            ),
            (#"{"status": "\u0053UCCESS"}"#, TaskMeta(state: .success)),
            (#"{"status": "SUCCESS\u0000"}"#, TaskMeta(state: .other)),
            ("{\"status\": \"\(LargeMeta.filler(5000))\"}", TaskMeta(state: .other)),
            (#"{"status": ["SUCCESS"]}"#, TaskMeta(state: .unknown)),
            (#"{"status": "SUCCESS"} x"#, TaskMeta(state: .unknown)),
            (#"{"status": "SUCCESS" "result": 1}"#, TaskMeta(state: .unknown)),
            (#"["status", "SUCCESS"]"#, TaskMeta(state: .unknown)),
            (#"{"status": "SUCCESS", "result": "\q"}"#, TaskMeta(state: .unknown)),
            ("{\"status\": \"SUCCESS\", \"result\": \"\u{01}\"}", TaskMeta(state: .unknown)),
        ]
        for (value, expected) in cases {
            #expect(TaskMeta(bytes: Array(value.utf8)) == expected, "\(value.prefix(80))")
        }
    }

    /// What cannot be classified from the first bytes is said so, never guessed.
    @Test func largeValuesThatCannotBeClassifiedAreCountedApart() {
        let big = LargeMeta.filler(200_000)
        let cases: [(String, TaskMetaState)] = [
            // Status after the head (not Celery's order): unclassified, though the whole says SUCCESS.
            ("{\"result\": \"\(big)\", \"status\": \"SUCCESS\"}", .unclassified),
            // Not an object, or not JSON at all: unknown.
            ("[\"\(big)\"]", .unknown),
            ("<html>\(big)</html>", .unknown),
            ("{\"status\": \"SUCCESS\", \"result\": \u{01}\(big)\"}", .unknown),
            // Starts like a meta but does not end like an object.
            ("{\"status\": \"SUCCESS\", \"result\": \"\(big)", .unknown),
            ("{\"status\": \"SUCCESS\", \"result\": \"\(big)\"} trailing", .unknown),
            // Ends inside the head, then whitespace up to the tail: the middle is not read.
            ("{\"status\": \"SUCCESS\"}" + String(repeating: " ", count: 200_000), .unclassified),
        ]
        for (value, expected) in cases {
            #expect(readAsCensus(Array(value.utf8)).state == expected, "\(value.prefix(40))")
        }
    }

    /// Whole values: the scanner accepts exactly what the full parser accepts and finds the same
    /// `status`, over every truncation and every single-byte corruption or insertion of real metas
    /// (except numbers beyond `Double`, which it does not convert).
    @Test func wholeValuesAgreeWithTheFullParser() {
        let seeds = [
            Meta.success("a"), Meta.failure("b"), Meta.started("c"),
            LargeMeta.successExtended("d", result: #"a \"q\" \\ \u00e9 \ud83d\ude00"#, args: "1"),
            #"{"status": "SUCCESS", "result": [1, -2.5e3, true, false, null, NaN, -Infinity, {"k": [[]]}, {}]}"#,
        ]
        let replacements: [UInt8] = Array(#"{}[]":,\ 0-.eE"#.utf8) + [0x00, 0x0A, 0xFF]
        var corpus: [[UInt8]] = []
        for seed in seeds {
            let bytes = Array(seed.utf8)
            corpus.append(bytes)
            for cut in 0..<bytes.count { corpus.append(Array(bytes.prefix(cut))) }
            for i in bytes.indices {
                for r in replacements where r != bytes[i] {
                    var mutated = bytes
                    mutated[i] = r
                    corpus.append(mutated)
                    corpus.append(Array(bytes[..<i]) + [r] + Array(bytes[i...]))
                }
            }
        }
        var disagreements = 0
        for value in corpus where disagreements < 5 {
            let parsed: JSONValue?
            do {
                parsed = try JSONValue.parse(value, maxDepth: TaskMetaScanner.maxDepth)
            } catch {
                // The one intended difference: the scanner never converts numbers, so 1e400 (which
                // Python's json.loads reads as inf) is not an error to it.
                if error.kind == .numberOutOfRange { continue }
                parsed = nil
            }
            let scanned = TaskMetaScanner.scan(value, whole: true)
            let agree: Bool
            switch scanned {
            case .complete(let fields): agree = parsed != nil && fields.status == parsed?["status"]?.stringValue
            case .malformed, .truncated: agree = parsed == nil
            }
            if !agree {
                disagreements += 1
                Issue.record(
                    "scanner \(scanned) vs parser \(String(describing: parsed)) on \(String(decoding: value, as: UTF8.self))"
                )
            }
        }
        #expect(corpus.count > 20_000)
        #expect(disagreements == 0)
    }

    /// Nesting is tracked without recursion and bounded: deep results are skipped, deeper than the
    /// limit is malformed, never a crash.
    @Test func nestingIsBoundedWithoutRecursion() {
        func nested(_ depth: Int) -> [UInt8] {
            Array(
                (#"{"status": "SUCCESS", "result": "# + String(repeating: "[", count: depth)
                    + String(repeating: "]", count: depth) + "}").utf8)
        }
        #expect(TaskMeta(bytes: nested(TaskMetaScanner.maxDepth)).state == .success)
        #expect(TaskMeta(bytes: nested(TaskMetaScanner.maxDepth + 1)).state == .unknown)
        #expect(TaskMeta(bytes: Array(String(repeating: "[", count: 1_000_000).utf8)).state == .unknown)
    }

    /// Long host and task names come whole, so the label limiter's hash matches the worker
    /// registry's: a STARTED meta's 300-byte host is the registry's key for that live worker.
    @Test func longNamesMatchTheRegistrysCappedForm() throws {
        let host = String(repeating: "h", count: 300) + "@box"
        let started = TaskMeta(bytes: b(Meta.started("x", host: host)))
        #expect(started.hostname == LabelValueLimit.capped(host))
        #expect(started.hostname != host && started.hostname!.utf8.count <= LabelValueLimit.maxBytes)
        let name = String(repeating: "t", count: 1 << 20)
        let meta = #"{"status": "SUCCESS", "result": 1, "name": "\#(name)", "task_id": "a"}"#
        #expect(try CeleryEventDecoder.decodeResult(taskID: "a", payload: b(meta)).taskName == name)
    }

    /// The Pub/Sub side: a result write carrying megabytes decodes to the same few fields (the task
    /// name of a `result_extended` meta lies past the large result), and the census counts it.
    @Test func largeResultWritesDecodeOnTheLiveSide() throws {
        let big = LargeMeta.filler(3_000_000, #"\"status\": \"FAILURE\" "#)
        let payload = Array(LargeMeta.successExtended("id1", result: big, args: big).utf8)
        #expect(payload.count > 6_000_000)
        let decoded = try CeleryEventDecoder.decodeResult(taskID: "id1", payload: payload)
        #expect(decoded == CeleryEvent.TaskResult(taskID: "id1", state: .success, taskName: "app.big"))
        let lost = Array(
            LargeMeta.failure("id2", excType: "WorkerLostError", message: "lost", traceback: big).utf8)
        #expect(try CeleryEventDecoder.decodeResult(taskID: "id2", payload: lost).workerLost)
        #expect(throws: CeleryEventDecodingError.missingStatus) {
            try CeleryEventDecoder.decodeResult(taskID: "x", payload: Array("{\"result\": \"\(big)\"}".utf8))
        }
        #expect(throws: CeleryEventDecodingError.self) {
            try CeleryEventDecoder.decodeResult(taskID: "x", payload: Array(payload.dropLast()))
        }
    }
}
