import Sockets
import TLS
import Testing

@testable import Redis

@Suite struct RedisConfigurationTests {
    struct Case: Sendable, CustomStringConvertible {
        let url: String
        let endpoint: SocketEndpoint
        let database: Int
        let username: String?
        let password: String?
        let tls: Bool
        var description: String { url }
    }

    static let valid: [Case] = [
        Case(
            url: "redis://localhost:6379/0", endpoint: .tcp(host: "localhost", port: 6379), database: 0, username: nil,
            password: nil, tls: false),
        Case(
            url: "redis://redis.internal", endpoint: .tcp(host: "redis.internal", port: 6379), database: 0,
            username: nil, password: nil, tls: false),
        Case(
            url: "redis://10.0.0.5:6380/", endpoint: .tcp(host: "10.0.0.5", port: 6380), database: 0, username: nil,
            password: nil, tls: false),
        Case(
            url: "REDIS://h:1/15", endpoint: .tcp(host: "h", port: 1), database: 15, username: nil, password: nil,
            tls: false),
        Case(
            url: "redis://:s3cret@h/2", endpoint: .tcp(host: "h", port: 6379), database: 2, username: nil,
            password: "s3cret", tls: false),
        Case(
            url: "redis://exporter:pw@h:7000/1", endpoint: .tcp(host: "h", port: 7000), database: 1,
            username: "exporter", password: "pw", tls: false),
        Case(
            url: "redis://user@h", endpoint: .tcp(host: "h", port: 6379), database: 0, username: "user", password: nil,
            tls: false),
        Case(
            url: "redis://us%40er:p%3Aw%2F%25@h", endpoint: .tcp(host: "h", port: 6379), database: 0, username: "us@er",
            password: "p:w/%", tls: false),
        // An unencoded "@" or "/" in the password: credentials end at the last "@".
        Case(
            url: "redis://:p@ss/word@h:6379/3", endpoint: .tcp(host: "h", port: 6379), database: 3, username: nil,
            password: "p@ss/word", tls: false),
        Case(
            url: "redis://[::1]:6390/4", endpoint: .tcp(host: "::1", port: 6390), database: 4, username: nil,
            password: nil, tls: false),
        Case(
            url: "redis://[::1]", endpoint: .tcp(host: "::1", port: 6379), database: 0, username: nil, password: nil,
            tls: false),
        Case(
            url: "redis://h?db=5", endpoint: .tcp(host: "h", port: 6379), database: 5, username: nil, password: nil,
            tls: false),
        Case(
            url: "rediss://:pw@cache.example.com:6380/0", endpoint: .tcp(host: "cache.example.com", port: 6380),
            database: 0, username: nil, password: "pw", tls: true),
        Case(
            url: "unix:///run/redis/redis.sock", endpoint: .unix(path: "/run/redis/redis.sock"), database: 0,
            username: nil, password: nil, tls: false),
        Case(
            url: "unix:///tmp/r.sock?db=7", endpoint: .unix(path: "/tmp/r.sock"), database: 7, username: nil,
            password: nil, tls: false),
        Case(
            url: "unix://:pw@/tmp/r.sock?db=1", endpoint: .unix(path: "/tmp/r.sock"), database: 1, username: nil,
            password: "pw", tls: false),
    ]

    @Test(arguments: valid)
    func parsesValidURL(_ c: Case) throws {
        let config = try RedisConfiguration(url: c.url)
        #expect(config.endpoint == c.endpoint)
        #expect(config.database == c.database)
        #expect(config.username == c.username)
        #expect(config.password == c.password)
        #expect((config.tls != nil) == c.tls)
        #expect(config.connectTimeout == .seconds(5))
        #expect(config.readTimeout == .seconds(5))
        #expect(config.maximumReplyBytes == 64 * 1024 * 1024)
    }

    @Test func defaultURLIsLocalhost() throws {
        let config = try RedisConfiguration(url: RedisConfiguration.defaultURL)
        #expect(config == RedisConfiguration())
        #expect(config.redactedDescription == "redis://localhost:6379/0")
    }

    @Test func redissDefaultsServerNameToHostAndVerifies() throws {
        let config = try RedisConfiguration(url: "rediss://cache.example.com/0")
        #expect(config.tls == TLSClientConfiguration(serverName: "cache.example.com"))
        #expect(config.tlsServerName == "cache.example.com")
        let insecure = try RedisConfiguration(url: "rediss://h/0?ssl_cert_reqs=CERT_NONE")
        #expect(insecure.tls?.insecureSkipVerify == true)
        let required = try RedisConfiguration(url: "rediss://h/0?ssl_cert_reqs=required")
        #expect(required.tls?.insecureSkipVerify == false)
    }

    /// (url, a fragment the error must contain)
    static let invalid: [(String, String)] = [
        ("localhost:6379", "expected a URL starting with redis://"),
        ("http://h:6379", "unsupported scheme \"http\""),
        ("redis://", "expected a host name"),
        ("redis://:6379/0", "expected a host name"),
        ("redis://h:abc/0", "expected a port number from 1 to 65535"),
        ("redis://h:0", "expected a port number"),
        ("redis://h:70000", "expected a port number"),
        ("redis://h/x", "expected a database number after the host"),
        ("redis://h/-1", "expected a database number"),
        ("redis://h/1?db=2", "the database is given twice"),
        ("redis://h?db=x", "expected a database number in db="),
        ("redis://h?password=hunter2", "unsupported query parameter \"password\""),
        ("redis://h?ssl_cert_reqs=none", "unsupported query parameter \"ssl_cert_reqs\""),
        ("rediss://h?ssl_cert_reqs=maybe", "expected ssl_cert_reqs=required or ssl_cert_reqs=none"),
        ("redis://[::1", "expected \"]\""),
        ("redis://[::1]x", "expected \":port\""),
        ("redis://[zz]:1", "expected an IPv6 address"),
        ("redis://bad host", "expected a host name or address"),
        ("unix://", "expected an absolute socket path"),
        ("unix://relative.sock", "expected an absolute socket path"),
        ("redis://us%zzer@h", "invalid percent-encoding in the user name"),
    ]

    @Test(arguments: invalid)
    func rejectsMalformedURL(_ url: String, _ fragment: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("expected \(url) to be rejected")
        } catch let error as RedisConfigurationError {
            #expect(error.description.contains(fragment), "\(error)")
            #expect(error.description.hasPrefix("invalid Redis URL \""))
            #expect(!error.description.contains("hunter2"))
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func errorsNeverContainThePassword() {
        let secret = "Sup3r%zzSecret"
        for url in [
            "redis://admin:\(secret)@h:port/0", "redis://:\(secret)@h/notadb", "ftp://u:\(secret)@h",
            "redis://u:\(secret)@", "rediss://u:\(secret)@h?x=1",
        ] {
            do {
                _ = try RedisConfiguration(url: url)
                Issue.record("expected \(url) to be rejected")
            } catch {
                let text = "\(error)"
                #expect(!text.contains("Sup3r"), "\(text)")
                #expect(!text.contains("Secret"), "\(text)")
            }
        }
    }

    @Test func redactsPasswordInErrorText() throws {
        let error = #expect(throws: RedisConfigurationError.self) {
            try RedisConfiguration(url: "redis://exporter:hunter2@h:notaport/0")
        }
        #expect(error?.redactedURL == "redis://***@h:notaport/0")
    }

    @Test func redactedDescriptionHidesPassword() throws {
        var config = try RedisConfiguration(url: "redis://exporter:hunter2@h:6379/3")
        #expect(config.redactedDescription == "redis://***@h:6379/3")
        #expect("\(config)" == "redis://***@h:6379/3")
        #expect(String(reflecting: config) == "RedisConfiguration(redis://***@h:6379/3)")
        config.password = "from-a-file"
        #expect(!config.redactedDescription.contains("from-a-file"))
        #expect(
            try RedisConfiguration(url: "rediss://:pw@[::1]:6380").redactedDescription == "rediss://***@[::1]:6380/0")
        #expect(try RedisConfiguration(url: "unix:///tmp/r.sock?db=2").redactedDescription == "unix:///tmp/r.sock?db=2")
        // A password pasted without its ":" parses as a user name: it is hidden too (issue 9).
        #expect(try RedisConfiguration(url: "redis://S3CRETpw@h").redactedDescription == "redis://***@h:6379/0")
    }

    @Test func redactWorksOnArbitraryText() {
        #expect(RedisConfiguration.redact(url: "redis://u:p@h") == "redis://***@h")
        #expect(RedisConfiguration.redact(url: "redis://:p@x@h/0") == "redis://***@h/0")
        #expect(RedisConfiguration.redact(url: "redis://h:6379") == "redis://h:6379")
        #expect(RedisConfiguration.redact(url: "u:p@h") == "***@h")
        #expect(
            RedisConfiguration.redact(url: "redis://h/0?db=1&password=x&ssl_cert_reqs=none")
                == "redis://h/0?db=1&password=***&ssl_cert_reqs=none")
        #expect(RedisConfiguration.redact(url: "redis://:p?w@h/0") == "redis://***@h/0")
        #expect(RedisConfiguration.redact(url: "redis://S3CRETpw@127.0.0.1:1/0x") == "redis://***@127.0.0.1:1/0x")
    }

    @Test func percentDecoding() {
        #expect(RedisConfiguration.percentDecode("a%20b%C3%A9") == "a bé")
        #expect(RedisConfiguration.percentDecode("100%") == nil)
        #expect(RedisConfiguration.percentDecode("%4") == nil)
        #expect(RedisConfiguration.percentDecode("plain") == "plain")
    }
}
