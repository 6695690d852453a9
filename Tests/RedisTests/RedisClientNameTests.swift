import Foundation
import Logging
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Redis

/// Issue 10 item 7: connections are named with `CLIENT SETNAME` so operators can tell them apart
/// in `CLIENT LIST`, but only as a courtesy: where `CLIENT` is refused (an ACL without
/// `+client|setname`) or renamed/disabled (`rename-command`, as managed Redis services do), the
/// connection works exactly as without a name.
@Suite struct RedisClientNameTests {
    @Test func nameShowsInClientList() throws {
        let server = try RedisServer()
        let client = RedisClient(configuration: configuration(for: server).named("celery-redis-exporter-poll"))
        #expect(try client.execute(redisCommand("PING")) == .status("PONG"))
        let list = try server.cli(["CLIENT", "LIST"]).stdout
        #expect(list.contains("name=celery-redis-exporter-poll"), "CLIENT LIST: \(list)")
    }

    @Test(arguments: [["--rename-command", "CLIENT", ""], ["--rename-command", "CLIENT", "c7f3a1-client"]])
    func renamedOrDisabledClientCommandIsIgnored(rename: [String]) throws {
        let server = try RedisServer(extraArguments: rename + ["--rename-command", "CONFIG", ""])
        var configuration = configuration(for: server).named("celery-redis-exporter-poll")
        configuration.database = 2
        let client = RedisClient(configuration: configuration)
        #expect(try client.execute(redisCommand("SET", "k", "v")) == .status("OK"))
        #expect(try client.execute(redisCommand("GET", "k")) == .bulk(bytes("v")))
        #expect(client.consecutiveFailures == 0 && client.lastError == nil)
        let refused = try client.execute(redisCommand("CLIENT", "SETNAME", "x"))
        #expect(refused.errorMessage != nil, "the scenario needs CLIENT to be unavailable: \(refused)")
    }

    @Test func aclUserWithoutClientSetnameConnectsAndSubscribes() throws {
        let server = try RedisServer()
        let acl = try server.cli([
            "ACL", "SETUSER", "reader", "on", ">pw", "resetkeys", "%R~*", "resetchannels", "&*",
            "-@all", "+ping", "+select", "+get", "+psubscribe", "+punsubscribe",
        ])
        #expect(acl.stdout.contains("OK"), "ACL SETUSER: \(acl)")
        var configuration = configuration(for: server, password: "pw").named("celery-redis-exporter-poll")
        configuration.username = "reader"
        configuration.database = 1
        let client = RedisClient(configuration: configuration)
        #expect(try client.execute(redisCommand("GET", "nothing")) == .null)
        #expect(client.lastError == nil)
        let denied = try server.cli(["ACL", "LOG"]).stdout
        #expect(denied.contains("setname"), "the scenario needs SETNAME to be refused: \(denied)")

        // The Pub/Sub connection takes the same path.
        let subscriber = RedisSubscriber(
            configuration: configuration.named("celery-redis-exporter-events"),
            patterns: [bytes("ch*")])
        let received = Mutex<[[UInt8]]>([])
        let thread = try NativeThread.spawn(name: "name-test") {
            subscriber.run { event in
                if case .message(let message) = event { received.withLock { $0.append(message.payload) } }
            }
        }
        defer {
            subscriber.stop()
            thread.join()
        }
        let subscribed = waitUntil(timeout: 5) { subscriber.status.isSubscribed }
        #expect(subscribed, "not subscribed: \(String(describing: subscriber.status.lastError))")
        _ = try server.cli(["PUBLISH", "ch1", "hello"])
        #expect(waitUntil(timeout: 5) { received.withLock { $0 } == [bytes("hello")] })
    }
}
