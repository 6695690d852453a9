import Foundation
import Synchronization
import TestSupport
import Testing

@testable import HTTP

/// Slow handler work on an ``HTTPWorkThread``: the loop keeps answering other requests while a
/// job runs, the queue is capped, and jobs still queued at stop are answered 503.
@Suite struct HTTPWorkThreadTests {
    @Test func theLoopAnswersOthersWhileAJobRunsAndTheQueueIsCapped() throws {
        let worker = HTTPWorkThread(name: "test-work", capacity: 1)
        try worker.start()
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let server = try makeServer(handler: { request in
            guard request.path == "/slow" else { return testHandler(request) }
            return worker.deferred {
                started.signal()
                gate.wait()
                return .text("done")
            } ?? .error(HTTPStatus(429))
        })
        defer {
            server.shutdown(gracePeriod: .zero)
            worker.stop()
        }
        let port = server.boundAddresses[0].port
        let slow = Mutex<TestHTTPResponse?>(nil)
        Thread.detachNewThread {
            let r = try? httpRequest(port: port, path: "/slow", timeout: 20)
            slow.withLock { $0 = r }
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        // The job holds the worker thread, not the loop: another request is answered meanwhile.
        #expect(try httpRequest(port: port, path: "/n/x").text == "GET /n/x")
        // One more waits (capacity 1); past it, no job is queued.
        let queued = worker.deferred { .text("queued") }
        #expect(queued?.pending != nil)
        #expect(worker.deferred { .text("refused") } == nil)
        gate.signal()
        #expect(waitUntil(timeout: 10) { slow.withLock { $0 } != nil })
        #expect(slow.withLock { $0?.text } == "done")
        #expect(waitUntil(timeout: 10) { queued?.pending?.response != nil })
        #expect(queued?.pending?.response.map { String(decoding: $0.body, as: UTF8.self) } == "queued")
    }

    @Test func jobsStillQueuedAtStopAre503() throws {
        let worker = HTTPWorkThread(name: "test-work", capacity: 4)
        try worker.start()
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        _ = worker.deferred {
            started.signal()
            gate.wait()
            return .text("first")
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        let queued = worker.deferred { .text("never") }
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.1)
            gate.signal()
        }
        worker.stop()
        #expect(queued?.pending?.response?.status == 503)
    }
}
