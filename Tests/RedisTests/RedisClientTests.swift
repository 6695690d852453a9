import Foundation
import Sockets
import TestSupport
import Testing

@testable import Redis

@Suite struct RedisClientTests {
    @Test func connectsLazily() throws {
        let server = try RedisServer()
        let client = RedisClient(configuration: configuration(for: server))
        #expect(!client.isConnected)
        #expect(try client.execute(redisCommand("PING")) == .status("PONG"))
        #expect(client.isConnected)
        #expect(client.consecutiveFailures == 0)
        #expect(client.lastError == nil)
    }

    @Test func errorRepliesAreNotFailures() throws {
        let server = try RedisServer()
        let client = RedisClient(configuration: configuration(for: server))
        #expect(try client.execute(redisCommand("NOSUCHCOMMAND")).errorMessage?.hasPrefix("ERR") == true)
        #expect(client.isConnected)
        #expect(client.consecutiveFailures == 0)
    }

    @Test func stoppedServerFailsFastWithGrowingBackoffThenRecovers() throws {
        let server = try RedisServer()
        // No jitter (random 0) so the delays are exact: 100, 200, 400 ms ...
        let client = RedisClient(
            configuration: configuration(for: server),
            backoff: ReconnectBackoff(initialDelay: .milliseconds(100), maximumDelay: .seconds(1)),
            random: { 0 })
        #expect(try client.execute(redisCommand("SET", "k", "v")) == .status("OK"))

        server.stop()
        #expect(throws: RedisError.self) { try client.execute(redisCommand("GET", "k")) }
        #expect(client.consecutiveFailures == 1)
        #expect(!client.isConnected)

        // Within the backoff: fails at once without trying, and says when it will retry.
        let (error, seconds) = measure { #expect(throws: RedisError.self) { try client.execute(redisCommand("PING")) } }
        #expect(seconds < 0.05)
        guard case .backingOff(let retryAfter, _) = error else {
            Issue.record("expected backingOff, got \(String(describing: error))")
            return
        }
        #expect(retryAfter > .zero && retryAfter <= .milliseconds(100))
        #expect(client.consecutiveFailures == 1, "a refused-by-backoff call is not an attempt")

        // Each real attempt fails with a connect error and doubles the wait.
        var previous = Duration.zero
        for attempt in 2...4 {
            Thread.sleep(forTimeInterval: Double(client.retryAfter.components.attoseconds) / 1e18 + 0.01)
            let error = #expect(throws: RedisError.self) { try client.execute(redisCommand("PING")) }
            guard case .connect = error else {
                Issue.record("expected a connect error, got \(String(describing: error))")
                return
            }
            #expect(client.consecutiveFailures == attempt)
            let wait = client.retryAfter
            #expect(wait > previous, "backoff should grow: \(wait) after \(previous)")
            #expect(wait <= ReconnectBackoff(initialDelay: .milliseconds(100)).nominalDelay(afterFailures: attempt))
            previous = wait
        }

        try server.restart()
        Thread.sleep(forTimeInterval: Double(client.retryAfter.components.attoseconds) / 1e18 + 0.01)
        #expect(try client.execute(redisCommand("PING")) == .status("PONG"))
        #expect(client.isConnected)
        #expect(client.consecutiveFailures == 0)
        #expect(client.lastError == nil)
        #expect(client.retryAfter == .zero)
    }

    @Test func backoffUsesTheInjectedClock() throws {
        let port = try freePort()
        let clock = ManualClock()
        let client = RedisClient(
            configuration: RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: port), connectTimeout: .seconds(1)),
            now: { clock.now }, random: { 0 })
        for expectedDelay in [100, 200, 400, 800] {
            #expect(throws: RedisError.self) { try client.connect() }
            #expect(client.retryAfter == .milliseconds(expectedDelay))
            #expect(throws: RedisError.self) { try client.connect() }  // backing off: no attempt
            clock.now += Int64(expectedDelay) * 1_000_000
        }
        #expect(client.consecutiveFailures == 4)
        if case .backingOff(_, let last) = RedisError.backingOff(retryAfter: .zero, lastError: client.lastError!) {
            #expect(last.description.contains("Connection refused"))
        }
    }

    @Test func clientIsUsableAsTheSamplerProtocol() throws {
        let server = try RedisServer()
        let executor: any RedisCommandExecuting = RedisClient(configuration: configuration(for: server))
        #expect(
            try executor.pipeline([redisCommand("RPUSH", "celery", "a", "b"), redisCommand("LLEN", "celery")])
                == [.integer(2), .integer(2)])
    }
}

/// A settable monotonic clock (nanoseconds) for backoff tests.
final class ManualClock: @unchecked Sendable {
    // @unchecked: used from one test thread only.
    var now: Int64 = 1_000_000_000
}
