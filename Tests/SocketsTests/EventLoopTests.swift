import Foundation
import Sockets
import Testing

@Suite struct EventLoopTests {
    @Test func timesOutWithNoEvents() throws {
        let loop = try EventLoop()
        var buffer = EventBuffer(capacity: 8)
        let started = ContinuousClock.now
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 30) == 0)
        #expect(ContinuousClock.now - started >= .milliseconds(25))
        #expect(!buffer.woken)
    }

    @Test func wakeFromAnotherThreadEndsTheWait() throws {
        let loop = try EventLoop()
        let thread = try NativeThread.spawn(name: "waker") {
            usleep(20_000)
            loop.wake()
        }
        var buffer = EventBuffer(capacity: 8)
        let started = ContinuousClock.now
        let count = try loop.wait(into: &buffer, timeoutMilliseconds: 5_000)
        thread.join()
        #expect(count == 0)  // the wake-up itself is not reported as an event
        #expect(buffer.woken)
        #expect(ContinuousClock.now - started < .seconds(2))
        // The eventfd was drained: the next wait does not return at once.
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 10) == 0)
        #expect(!buffer.woken)
    }

    @Test func reportsReadableWritableAndPeerClose() throws {
        let listener = try Listener.bind(.tcp(host: "127.0.0.1", port: 0))[0]
        let loop = try EventLoop()
        try loop.register(listener.fd, for: .readable)
        let client = try Socket.connect(to: listener.address, deadline: Deadline(after: .seconds(1)))
        var buffer = EventBuffer()
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 1_000) == 1)
        #expect(buffer.ready == [.init(fd: listener.fd, events: .readable)])
        let server = try #require(try listener.accept())
        try loop.register(server.fd, for: [.readable, .peerClosed, .writable])
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events == .writable)
        try loop.modify(server.fd, for: [.readable, .peerClosed])
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 20) == 0)
        try client.writeAll(Array("hi".utf8), deadline: Deadline(after: .seconds(1)))
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events == .readable)
        client.close()
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events.contains(.peerClosed) == true)
        loop.unregister(server.fd)
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 10) == 0)
    }
}

@Suite struct NativeThreadTests {
    @Test func runsTheBodyOnItsOwnNamedThreadAndJoins() throws {
        final class Box: @unchecked Sendable {  // written by the thread, read after join()
            var name = ""
            var ran = false
        }
        let box = Box()
        let thread = try NativeThread.spawn(name: "a-very-long-thread-name") {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            box.name = comm.trimmingCharacters(in: .newlines)
            box.ran = true
        }
        thread.join()
        #expect(box.ran)
        #expect(box.name == "a-very-long-thr")  // Linux keeps 15 bytes
        #expect(!thread.isCurrent)
    }
}
