import Foundation
import HTTP
import Sockets
import TLS
import TestSupport
import Testing

private func seconds(since start: Int64) -> Double { Double(Deadline.monotonicNow() - start) / 1e9 }

/// Runs one attempt and checks that the error's own `requestNotSent` agrees with the outcome
/// (callers that only see the thrown error must reach the same verdict).
private func attempt(
    _ request: HTTPClientRequest, to url: HTTPClientURL, tls: TLSClientContext? = nil, deadline: Deadline,
    cancellation: CancellationToken? = nil, resolver: NameResolver = .shared,
    sourceLocation: SourceLocation = #_sourceLocation
) -> HTTPClientOutcome {
    let outcome = HTTPClient.attempt(
        request, to: url, tls: tls, deadline: deadline, cancellation: cancellation, resolver: resolver)
    if let error = outcome.error {
        #expect(error.requestNotSent == !outcome.requestMayHaveBeenSent, "\(outcome)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("/hook"), "the URL path leaked: \(error)", sourceLocation: sourceLocation)
    }
    return outcome
}

/// One attempt, one deadline, against real sockets: what the receiver got and when, and
/// whether the outcome says the request may have reached it.
@Suite struct HTTPClientAttemptTests {
    let request = HTTPClientRequest(
        method: "POST", headers: HTTPHeaders([("webhook-id", "msg_1")]), body: Array(#"{"status":"firing"}"#.utf8))

    /// Issue 16 row 4 (in process): a name that takes longer than the deadline to resolve ends
    /// the attempt at the deadline, as not sent; when the lookup finally answers, nothing is
    /// sent late.
    @Test func slowResolutionIsInsideTheDeadlineAndNothingIsSentLate() throws {
        let receiver = try RawTCPReceiver(.answer(status: 200))
        let held = GatedLookup()
        let resolver = NameResolver(lookup: held.lookup)
        let url = try HTTPClientURL("http://slow.example:\(receiver.port)/hook")
        let start = Deadline.monotonicNow()
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(1)), resolver: resolver)
        let took = seconds(since: start)
        #expect(
            outcome
                == .notSent(.connect(url: url.redacted, .timedOut(operation: "resolving slow.example"))))
        #expect(took >= 0.99 && took < 2.5, "attempt took \(took) s with a 1 s deadline")
        #expect(!outcome.requestMayHaveBeenSent)
        held.release()
        #expect(waitUntil(timeout: 5) { resolver.statistics.lookupsInFlight == 0 })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(receiver.connections.isEmpty, "the receiver was contacted after the deadline")
    }

    @Test func silentReceiverEndsAtTheDeadlineAsSentNoAnswer() throws {
        let receiver = try RawTCPReceiver(.hang)
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let start = Deadline.monotonicNow()
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(1)))
        let took = seconds(since: start)
        #expect(outcome == .sentNoAnswer(.timedOut(url: url.redacted)))
        #expect(outcome.requestMayHaveBeenSent)
        #expect(took >= 0.99 && took < 2.5, "attempt took \(took) s with a 1 s deadline")
        #expect(waitUntil(timeout: 2) { receiver.completeRequests == 1 }, "the receiver has the request")
    }

    @Test func drippingReceiverIsCutAtTheDeadline() throws {
        let receiver = try RawTCPReceiver(.drip(interval: 0.2))
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let start = Deadline.monotonicNow()
        let outcome = attempt(request, to: url, deadline: Deadline(after: .milliseconds(1500)))
        let took = seconds(since: start)
        #expect(outcome == .sentNoAnswer(.timedOut(url: url.redacted)))
        #expect(took >= 1.49 && took < 3, "attempt took \(took) s with a 1.5 s deadline")
        // The client wrote the request once and nothing else.
        let text = try #require(receiver.connections.first).text
        #expect(text.components(separatedBy: "POST /hook").count == 2 && text.hasSuffix(#"{"status":"firing"}"#))
    }

    @Test func receiverThatClosesWithoutAWordIsSentNoAnswer() throws {
        let receiver = try RawTCPReceiver(.closeWithoutAnswer)
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(5)))
        #expect(outcome == .sentNoAnswer(.malformedResponse(url: url.redacted, .closedBeforeResponse)))
    }

    @Test func anAnswerIsAResponseWhateverItsStatus() throws {
        let receiver = try RawTCPReceiver(.answer(status: 503))
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(5)))
        #expect(outcome.response?.status == 503 && outcome.error == nil)
        let text = try #require(receiver.connections.first).text
        #expect(text.hasPrefix("POST /hook HTTP/1.1\r\n") && text.contains("webhook-id: msg_1\r\n"))
    }

    @Test func refusedConnectionIsNotSent() throws {
        let url = try HTTPClientURL("http://127.0.0.1:\(try freePort())/hook")
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(5)))
        guard case .notSent(.connect(_, .failed(let call, let code))) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(call == "connect" && code == ECONNREFUSED)
    }

    @Test func aDeadlineAlreadyPastSendsNothing() throws {
        let receiver = try RawTCPReceiver(.answer(status: 200))
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let outcome = attempt(request, to: url, deadline: Deadline(nanoseconds: 0))
        #expect(!outcome.requestMayHaveBeenSent, "\(outcome)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(receiver.connections.isEmpty)
    }

    // MARK: - Cancellation (shutdown)

    @Test func cancelDuringALookupReturnsAtOnceAndNothingIsSentLater() throws {
        let receiver = try RawTCPReceiver(.answer(status: 200))
        let held = GatedLookup()
        defer { held.release() }
        let resolver = NameResolver(lookup: held.lookup)
        let url = try HTTPClientURL("http://slow.example:\(receiver.port)/hook")
        let token = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        let outcome = attempt(
            request, to: url, deadline: Deadline(after: .seconds(30)), cancellation: token, resolver: resolver)
        let took = seconds(since: start)
        #expect(outcome == .notSent(.cancelled(url: url.redacted, requestSent: false)))
        #expect(took < 2, "cancel at 0.3 s, attempt ended after \(took) s")
        held.release()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(receiver.connections.isEmpty)
    }

    @Test func cancelDuringAHungReadReturnsAtOnce() throws {
        let receiver = try RawTCPReceiver(.hang)
        let url = try HTTPClientURL("http://127.0.0.1:\(receiver.port)/hook")
        let token = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        let outcome = attempt(request, to: url, deadline: Deadline(after: .seconds(30)), cancellation: token)
        let took = seconds(since: start)
        #expect(outcome == .sentNoAnswer(.cancelled(url: url.redacted, requestSent: true)))
        #expect(took < 2, "cancel at 0.3 s, attempt ended after \(took) s")
    }

    @Test func cancelDuringATLSHandshakeIsNotSent() throws {
        let receiver = try RawTCPReceiver(.hang)  // takes the ClientHello, never answers
        let url = try HTTPClientURL("https://127.0.0.1:\(receiver.port)/hook")
        let context = try TLSClientContext(TLSClientConfiguration(insecureSkipVerify: true))
        let token = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        let outcome = attempt(
            request, to: url, tls: context, deadline: Deadline(after: .seconds(30)), cancellation: token)
        #expect(outcome == .notSent(.cancelled(url: url.redacted, requestSent: false)))
        #expect(seconds(since: start) < 2)
    }

    @Test func aTLSHandshakeThatNeverEndsIsCutAtTheDeadlineAsNotSent() throws {
        let receiver = try RawTCPReceiver(.hang)
        let url = try HTTPClientURL("https://127.0.0.1:\(receiver.port)/hook")
        let context = try TLSClientContext(TLSClientConfiguration(insecureSkipVerify: true))
        let start = Deadline.monotonicNow()
        let outcome = attempt(request, to: url, tls: context, deadline: Deadline(after: .seconds(1)))
        let took = seconds(since: start)
        guard case .notSent(.tls(_, let error)) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(error.kind == .timedOut)
        #expect(took >= 0.99 && took < 2.5, "attempt took \(took) s with a 1 s deadline")
    }
}
