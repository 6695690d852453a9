import Redis
import Sockets
import Testing

/// kombu's `sentinel://` broker URLs: every `;`-separated part names a sentinel (port 26379 by
/// default); the first part's credentials and database are the Redis master's.
@Suite struct SentinelURLTests {
    @Test func oneSentinelTakesTheDefaultPortAndDatabase() throws {
        let parsed = try SentinelConfiguration.parse(url: "sentinel://sentinel1")
        #expect(parsed.sentinels == [.tcp(host: "sentinel1", port: 26379)])
        #expect(parsed.database == 0)
        #expect(parsed.password == nil && parsed.username == nil)
    }

    @Test func severalSentinelsKeepTheirOrderAndTheFirstPartsCredentialsAndDatabase() throws {
        let parsed = try SentinelConfiguration.parse(
            url: "sentinel://:p%40ss@10.0.0.1:26380/3;sentinel://[::1]:26381;SENTINEL://s3")
        #expect(
            parsed.sentinels == [
                .tcp(host: "10.0.0.1", port: 26380), .tcp(host: "::1", port: 26381), .tcp(host: "s3", port: 26379),
            ])
        #expect(parsed.database == 3)
        #expect(parsed.password == "p@ss")
        #expect(parsed.username == nil)
    }

    @Test func theSameDatabaseOrCredentialsRepeatedOnLaterPartsAreAccepted() throws {
        let parsed = try SentinelConfiguration.parse(url: "sentinel://u:pw@a:1/2;sentinel://u:pw@b:2/2")
        #expect(parsed.database == 2 && parsed.username == "u" && parsed.password == "pw")
        #expect(parsed.sentinels.count == 2)
    }

    @Test(arguments: [
        ("sentinel://a;redis://b", "start with sentinel://"),
        ("sentinel://a/1;sentinel://b/2", "first part's"),
        ("sentinel://:one@a;sentinel://:two@b", "other credentials"),
        ("sentinel://a:0", "port number"),
        ("sentinel://a:70000", "port number"),
        ("sentinel://a/x", "database number"),
        ("sentinel://a?ssl=true", "query parameters"),
        ("sentinel://", "host name"),
        ("sentinel://a;", "start with sentinel://"),
        ("sentinel://a b", "host name or address"),
    ])
    func badURLsAreRejectedWithAReason(url: String, expected: String) {
        #expect {
            _ = try SentinelConfiguration.parse(url: url)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func tooManySentinelsAreRejected() {
        let url = (0...SentinelConfiguration.maximumSentinels).map { "sentinel://h\($0)" }.joined(separator: ";")
        #expect(throws: RedisConfigurationError.self) { _ = try SentinelConfiguration.parse(url: url) }
    }

    @Test func errorsAndRedactionNeverShowThePassword() {
        let url = "sentinel://:hunter2@a:1;sentinel://:hunter2@b:99999"
        #expect(!SentinelConfiguration.redact(url: url).contains("hunter2"))
        do {
            _ = try SentinelConfiguration.parse(url: url)
            Issue.record("expected an error for port 99999")
        } catch {
            #expect("\(error)".contains("port number"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
