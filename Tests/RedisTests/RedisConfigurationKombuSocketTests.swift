import Foundation
import Sockets
import TestSupport
import Testing

@testable import Redis

/// kombu spells a Redis broker on a unix socket `redis+socket:///path/redis.sock?virtual_host=N`
/// (kombu/transport/redis.py `_connparams`: the path gets its leading "/" back, `virtual_host`
/// picks the database through `_prepare_virtual_host`, `db=` is overwritten by it). A Celery
/// `broker_url` pasted into --redis.url must watch the same socket and database as the workers.
@Suite struct RedisConfigurationKombuSocketTests {
    @Test(arguments: [
        ("redis+socket:///var/run/redis/redis.sock", "/var/run/redis/redis.sock", 0),
        ("redis+socket:///var/run/redis/redis.sock?virtual_host=0", "/var/run/redis/redis.sock", 0),
        ("redis+socket:///tmp/r.sock?virtual_host=5", "/tmp/r.sock", 5),
        ("redis+socket:///tmp/r.sock?virtual_host=/3", "/tmp/r.sock", 3),
        ("redis+socket:///tmp/r.sock?virtual_host=%2F4", "/tmp/r.sock", 4),
        ("redis+socket:///tmp/r.sock?virtual_host=/", "/tmp/r.sock", 0),
        ("REDIS+SOCKET:///tmp/my%20r.sock", "/tmp/my r.sock", 0),
    ])
    func parsesKombuSocketURL(_ url: String, _ path: String, _ database: Int) throws {
        let config = try RedisConfiguration(url: url)
        #expect(config.endpoint == .unix(path: path))
        #expect(config.database == database)
        #expect(config.tls == nil)
    }

    @Test func takesCredentialsLikeKombu() throws {
        // kombu's own test: 'socket://:foo@/var/run/redis.sock' carries password "foo".
        let config = try RedisConfiguration(url: "redis+socket://:foo@/var/run/redis.sock")
        #expect(config.password == "foo")
        #expect(config.username == nil)
        #expect(config.endpoint == .unix(path: "/var/run/redis.sock"))
        #expect(config.redactedDescription == "unix://***@/var/run/redis.sock?db=0")
    }

    @Test(arguments: [
        ("redis+socket://", "expected an absolute socket path after redis+socket://"),
        ("redis+socket://relative.sock", "expected an absolute socket path"),
        // kombu would silently use database 0 here; we would have used 3: refuse instead.
        ("redis+socket:///tmp/r.sock?db=3", "takes the database as ?virtual_host=N"),
        ("redis+socket:///tmp/r.sock?virtual_host=abc", "expected a database number in virtual_host="),
        ("redis+socket:///tmp/r.sock?virtual_host=99999999999999999999999", "expected a database number"),
        (
            "redis+socket:///tmp/r.sock?password=hunter2",
            "unsupported query parameter \"password\" (supported: virtual_host)"
        ),
        ("redis://h?virtual_host=1", "unsupported query parameter \"virtual_host\""),
        ("redis+tcp://h", "unsupported scheme \"redis+tcp\""),
    ])
    func rejectsWithAClearError(_ url: String, _ fragment: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func redactionKeepsTheDatabaseVisible() {
        #expect(
            RedisConfiguration.redact(url: "redis+socket://:pw@/r.sock?virtual_host=2")
                == "redis+socket://***@/r.sock?virtual_host=2")
    }

    /// End to end against a real redis-server listening on a unix socket.
    @Test func connectsThroughTheSocketToTheVirtualHostDatabase() throws {
        let server = try RedisServer()
        var config = try RedisConfiguration(url: "redis+socket://\(server.unixSocketPath)?virtual_host=2")
        config.readTimeout = .seconds(3)
        let connection = try RedisConnection(configuration: config)
        #expect(try connection.execute(redisCommand("SET", "via-kombu-socket", "1")) == .status("OK"))
        #expect(try server.cli(["-n", "2", "GET", "via-kombu-socket"]).stdout.contains("1"))
        #expect(try server.cli(["-n", "0", "EXISTS", "via-kombu-socket"]).stdout.contains("0"))
    }
}
