import Alerting
import Exposition
import HTTP
import Synchronization

/// The limits on what one Alertmanager API read may cost the HTTP loop thread, and the counts of
/// requests refused by them (`celery_redis_api_requests_refused_total{reason}`).
///
/// - A regex in a request (`filter`, `receiver`) compiles to fewer than
///   ``maxRegexInstructions`` instructions (rules and configuration keep ``LabelRegex``'s own
///   cap): `400`, reason `regex`.
/// - The matching a request asks for, Σ over the values it would match of (value bytes + 1) ×
///   (program size, at least 1), is at most ``maxMatchingWork``, estimated before any matching:
///   `400`, reason `work`. One unit is about 10 ns, so the budget is about half a second.
/// - A body built for one request (a filtered list, the alerts) is at most ``maxBodyBytes``, and
///   is built only while the server holds fewer than ``maxQueuedBytes`` unsent bytes in all:
///   `503` with `Retry-After`, reasons `body_size` and `queued_bytes`. Unfiltered silences are
///   one shared body per store change (``SilencesBodyCache``), which clients never multiply.
/// - Reads run on one thread of their own (``HTTPWorkThread``), at most ``maxWaitingReads``
///   waiting: `503`, reason `busy`.
final class AlertmanagerAPIGuard: Sendable {
    /// Instructions a regex from a request may compile to.
    static let maxRegexInstructions = 2_000
    /// Matching work one request may ask for (see the type's documentation).
    static let maxMatchingWork = 50_000_000
    /// Bytes of one body built for a single request.
    static let maxBodyBytes = 16 << 20
    /// Unsent bytes on all connections past which no body is built for a single request.
    static let maxQueuedBytes = 64 << 20
    /// Reads waiting for the API's thread.
    static let maxWaitingReads = 16
    /// The reasons counted, each reported from the start.
    static let reasons = ["regex", "work", "body_size", "queued_bytes", "busy"]

    private let refused = Mutex<[String: UInt64]>([:])
    private let queuedBytesSource = Mutex<(@Sendable () -> Int)?>(nil)

    /// Where the server's unsent bytes are read from (set once the server exists).
    func attach(queuedBytes: @escaping @Sendable () -> Int) { queuedBytesSource.withLock { $0 = queuedBytes } }

    /// `matchers`, refused when a regex is larger than a request may send.
    func checkRegexes(_ matchers: [LabelMatcher], receiver: LabelRegex? = nil) -> HTTPResponse? {
        let sizes = matchers.map(\.regexProgramSize) + [receiver?.programSize ?? 0]
        guard let largest = sizes.max(), largest >= Self.maxRegexInstructions else { return nil }
        return refuse(
            "regex", status: 400,
            "bad filter: a regex compiles to \(largest) instructions; a request may send at most "
                + "\(Self.maxRegexInstructions - 1)")
    }

    /// Refused when matching `matchers` over every label set of `labelSets` (and `receiver` over
    /// `receiverNames`) could cost more than ``maxMatchingWork``.
    func checkWork(
        _ matchers: [LabelMatcher], over labelSets: [[String: String]], receiver: LabelRegex? = nil,
        receiverNames: [String] = []
    ) -> HTTPResponse? {
        var work = 0
        for labels in labelSets {
            for m in matchers {
                work += ((labels[m.name]?.utf8.count ?? 0) + 1) * max(1, m.regexProgramSize)
            }
            if work > Self.maxMatchingWork { break }
        }
        if let receiver {
            for name in receiverNames { work += (name.utf8.count + 1) * max(1, receiver.programSize) }
        }
        guard work > Self.maxMatchingWork else { return nil }
        return refuse(
            "work", status: 400,
            "bad filter: matching it would take more than \(Self.maxMatchingWork) steps (value bytes × regex size); "
                + "use fewer or simpler regexes")
    }

    /// Refused while the server already holds too many unsent bytes to build another body.
    func checkQueuedBytes() -> HTTPResponse? {
        guard let source = queuedBytesSource.withLock({ $0 }), source() >= Self.maxQueuedBytes else { return nil }
        return refuse("queued_bytes", status: 503, "too many responses are waiting for slow clients; try again shortly")
    }

    /// The answer when `waiting` reads already wait for the API's thread.
    func busy(waiting: Int) -> HTTPResponse {
        refuse("busy", status: 503, "\(waiting) API reads are already waiting; try again shortly")
    }

    /// `body` as a JSON response, or a refusal when it is larger than one request may get.
    func json(_ body: [UInt8]) -> HTTPResponse {
        guard body.count <= Self.maxBodyBytes else {
            return refuse(
                "body_size", status: 503,
                "the answer would be \(body.count) bytes, more than \(Self.maxBodyBytes) for one request; narrow the filter"
            )
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func refuse(_ reason: String, status: Int, _ text: String) -> HTTPResponse {
        refused.withLock { $0[reason, default: 0] += 1 }
        var response = HTTPResponse.text(status: status, text + "\n")
        if status == 503 { response.headers.append(("Retry-After", "5")) }
        return response
    }

    /// `celery_redis_api_requests_refused_total{reason}`.
    var metricFamilies: [MetricFamily] {
        let counts = refused.withLock { $0 }
        return [
            MetricFamily(
                .apiRequestsRefused,
                samples: Self.reasons.map { Sample(labels: [Label("reason", $0)], value: Double(counts[$0] ?? 0)) })
        ]
    }
}
