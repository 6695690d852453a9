import Alerting
import Exposition
import Foundation
import HTTP
import Logging
import Notify
import Synchronization
import TestSupport
import Testing

@testable import Exporter

/// What one Alertmanager API read may cost the HTTP loop thread: request regexes are capped far
/// below rule regexes, the matching a filter asks for has a budget checked before matching, and
/// the unfiltered silence list is one shared body instead of a fresh copy per request.
@Suite struct AlertmanagerAPILimitsTests {
    final class Clock: Sendable {
        let now = Mutex<Double>(10_000)
        func read() -> Double { now.withLock { $0 } }
    }

    /// An API over a store holding one silence per value, matching `queue` on it.
    func api(values: [String], clock: Clock = Clock()) throws -> AlertmanagerAPI {
        let store = try SilenceStore(file: nil, logger: Logger(label: "t"), clock: { clock.read() })
        for value in values {
            let silence = Silence(
                id: "", matchers: [try LabelMatcher(name: "queue", op: .equal, value: value)], startsAt: 10_000,
                endsAt: 13_600, updatedAt: 0, createdBy: "me", comment: "why")
            _ = try store.add(silence, now: clock.read())
        }
        return AlertmanagerAPI(
            silences: store, alerting: nil, enableWrites: true, startedAt: 0, clock: { clock.read() })
    }

    func get(_ api: AlertmanagerAPI, _ target: String) -> HTTPResponse {
        api.handle(HTTPRequest(method: "GET", target: target))
    }

    func refused(_ api: AlertmanagerAPI, _ reason: String) -> Double {
        api.limits.metricFamilies[0].samples.first { $0.labels.contains(Label("reason", reason)) }?.value ?? -1
    }

    func query(_ matcher: String) -> String {
        matcher.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// A filter regex that compiles to thousands of instructions is refused before it runs (the
    /// auditor's `((.?){1000}){10}` took 2.8 s per filter on the loop thread); a small one works.
    @Test func aLargeFilterRegexIsRefusedWith400() throws {
        let api = try api(values: ["celery", "mail"])
        let large = get(api, "/api/v2/silences?filter=" + query("queue=~\"((.?){1000}){10}\""))
        #expect(large.status == 400)
        #expect(String(decoding: large.body, as: UTF8.self).contains("instructions"))
        #expect(refused(api, "regex") == 1)
        let receiver = get(api, "/api/v2/alerts?receiver=" + query("((.?){1000}){10}"))
        #expect(receiver.status == 400)
        #expect(refused(api, "regex") == 2)
        let small = get(api, "/api/v2/silences?filter=" + query("queue=~\"cel.*\""))
        #expect(small.status == 200)
        let text = String(decoding: small.body, as: UTF8.self)
        #expect(text.contains("\"celery\"") && !text.contains("\"mail\""))
    }

    /// Regexes under the cap over long values still add up: the request is refused before any
    /// matching when Σ value bytes × program size passes the budget.
    @Test func matchingPastTheWorkBudgetIsRefusedWith400() throws {
        let long = String(repeating: "x", count: 8_000)
        let api = try api(values: (0..<8).map { "\($0)" + long })
        let matcher = try LabelMatcher(parsing: "queue=~\"(.?){600}\"")
        #expect(matcher.regexProgramSize < AlertmanagerAPIGuard.maxRegexInstructions)
        #expect(8 * 8_001 * matcher.regexProgramSize > AlertmanagerAPIGuard.maxMatchingWork)
        let r = get(api, "/api/v2/silences?filter=" + query("queue=~\"(.?){600}\""))
        #expect(r.status == 400)
        #expect(String(decoding: r.body, as: UTF8.self).contains("steps"))
        #expect(refused(api, "work") == 1)
        // Equality over the same values is cheap and answered.
        #expect(get(api, "/api/v2/silences?filter=" + query("queue=\"3\(long)\"")).status == 200)
    }

    /// The unfiltered list is one body shared by every request until the store changes (a
    /// client that does not read holds no copy of its own), and a filter that keeps everything
    /// gets the same body; a change or a silence's end renders a new one.
    @Test func theUnfilteredListIsOneSharedBodyPerChange() throws {
        let clock = Clock()
        let api = try api(values: ["celery"], clock: clock)
        func address(_ r: HTTPResponse) -> UnsafeRawPointer? { r.body.withUnsafeBytes { $0.baseAddress } }
        let first = get(api, "/api/v2/silences")
        let second = get(api, "/api/v2/silences")
        let everything = get(api, "/api/v2/silences?filter=" + query("queue!=\"none\""))
        #expect(first.status == 200)
        #expect(address(first) != nil && address(first) == address(second))
        #expect(address(everything) == address(first))
        _ = try api.silences.add(
            Silence(
                id: "", matchers: [try LabelMatcher(name: "queue", op: .equal, value: "mail")], startsAt: 10_000,
                endsAt: 20_000, updatedAt: 0, createdBy: "me", comment: "why"), now: clock.read())
        let changed = get(api, "/api/v2/silences")
        #expect(String(decoding: changed.body, as: UTF8.self).contains("\"mail\""))
        clock.now.withLock { $0 = 14_000 }  // past the first silence's end
        let later = String(decoding: get(api, "/api/v2/silences").body, as: UTF8.self)
        #expect(later.contains("\"expired\"") && later.contains("\"active\""))
    }

    /// While the server holds too many unsent bytes, a body built for one request is refused
    /// with 503 and Retry-After; the shared unfiltered body is still served.
    @Test func builtBodiesWaitWhileTooManyBytesAreUnsent() throws {
        let api = try api(values: ["celery", "mail"])
        api.limits.attach { AlertmanagerAPIGuard.maxQueuedBytes }
        let filtered = get(api, "/api/v2/silences?filter=" + query("queue=\"mail\""))
        #expect(filtered.status == 503)
        #expect(filtered.header("Retry-After") != nil)
        #expect(refused(api, "queued_bytes") == 1)
        #expect(get(api, "/api/v2/silences").status == 200)
    }

    /// With a worker thread, silence and alert reads are answered through a deferred response
    /// computed off the HTTP loop thread, with the same content.
    @Test func readsRunOnTheWorkerThread() throws {
        let worker = HTTPWorkThread(name: "api-reads", capacity: 4)
        try worker.start()
        defer { worker.stop() }
        let clock = Clock()
        let store = try SilenceStore(file: nil, logger: Logger(label: "t"), clock: { clock.read() })
        _ = try store.add(
            Silence(
                id: "", matchers: [try LabelMatcher(name: "queue", op: .equal, value: "celery")], startsAt: 10_000,
                endsAt: 13_600, updatedAt: 0, createdBy: "me", comment: "why"), now: clock.read())
        let api = AlertmanagerAPI(
            silences: store, alerting: nil, enableWrites: true, startedAt: 0, clock: { clock.read() }, worker: worker)
        for target in ["/api/v2/silences", "/api/v2/silences?filter=" + query("queue=~\"cel.*\""), "/api/v2/alerts"] {
            let r = get(api, target)
            let pending = try #require(r.pending, "\(target) answered on the calling thread")
            #expect(waitUntil(timeout: 10) { pending.response != nil })
            #expect(pending.response?.status == 200)
        }
        let filtered = get(api, "/api/v2/silences?filter=" + query("queue=\"celery\""))
        #expect(waitUntil(timeout: 10) { filtered.pending?.response != nil })
        #expect(filtered.pending?.response.map { String(decoding: $0.body, as: UTF8.self) }?.contains("celery") == true)
    }
}
