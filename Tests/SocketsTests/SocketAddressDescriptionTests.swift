import Sockets
import Testing

/// `SocketAddress.description` is what logs, errors and the status page show for an endpoint:
/// the numeric host (bracketed for IPv6) and the port, or the unix path.
@Suite struct SocketAddressDescriptionTests {
    @Test(arguments: [
        ("192.0.2.7", UInt16(9100), "192.0.2.7:9100"),
        ("255.255.255.255", 65535, "255.255.255.255:65535"),
        ("2001:db8::1", 443, "[2001:db8::1]:443"),
        ("::ffff:192.0.2.7", 1, "[::ffff:192.0.2.7]:1"),
        ("fd00:1:2:3:4:5:6:7", 6379, "[fd00:1:2:3:4:5:6:7]:6379"),
    ])
    func numericAddressReadsBackAsHostAndPort(host: String, port: UInt16, text: String) throws {
        let address = try #require(SocketAddress.numeric(host: host, port: port))
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test func unixAddressReadsBackAsItsPath() throws {
        let address = try SocketAddress.unix(path: "/run/redis/redis.sock")
        #expect(address.port == 0)
        #expect(address.description == "unix:/run/redis/redis.sock")
    }
}
