import Foundation
import Sockets
import Testing

@Suite struct ListenerTests {
    @Test func bindsPortZeroAndReportsTheRealPort() throws {
        let listeners = try Listener.bind(.tcp(host: "127.0.0.1", port: 0))
        #expect(listeners.count == 1)
        let address = listeners[0].address
        #expect(address.family == AF_INET)
        #expect(address.port != 0)
        #expect(address.description == "127.0.0.1:\(address.port)")
    }

    @Test func acceptReturnsNilWhenNobodyIsWaiting() throws {
        let listener = try #require(try Listener.bind(.tcp(host: "127.0.0.1", port: 0)).first)
        #expect(try listener.accept() == nil)
        let client = try Socket.connect(to: listener.address, deadline: Deadline(after: .seconds(1)))
        var accepted: Socket?
        for _ in 0..<100 where accepted == nil {
            accepted = try listener.accept()
            if accepted == nil { Thread.sleep(forTimeInterval: 0.005) }
        }
        let server = try #require(accepted)
        // Accepted sockets are non-blocking: a read with nothing to read times out instead of hanging.
        var byte: UInt8 = 0
        #expect(throws: SocketError.timedOut(operation: "read")) {
            _ = try withUnsafeMutableBytes(of: &byte) {
                try server.read(into: $0, deadline: Deadline(after: .milliseconds(20)))
            }
        }
        try client.writeAll(Array("x".utf8), deadline: Deadline(after: .seconds(1)))
        let n = try withUnsafeMutableBytes(of: &byte) {
            try server.read(into: $0, deadline: Deadline(after: .seconds(1)))
        }
        #expect(n == 1 && byte == UInt8(ascii: "x"))
    }

    @Test func allInterfacesIsDualStack() throws {
        let listeners = try Listener.bind(try #require(SocketEndpoint.parseHostPort(":0")))
        #expect(listeners.count == 1)
        let listener = listeners[0]
        let port = listener.address.port
        if listener.address.family == AF_INET6 {
            // One [::] socket with IPV6_V6ONLY=0 takes both families.
            #expect(listener.address.description == "[::]:\(port)")
            _ = try Socket.connect(to: .tcp(host: "::1", port: port), timeout: .seconds(1))
        } else {
            #expect(listener.address.description == "0.0.0.0:\(port)")
        }
        _ = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(1))
    }

    @Test func explicitIPv6AndIPv4WildcardsCanShareAPort() throws {
        let v4 = try Listener.bind(.tcp(host: "0.0.0.0", port: 0))[0]
        // [::] bound explicitly is IPv6-only, so it does not collide with 0.0.0.0 on the same port.
        let v6 = try Listener.bind(.tcp(host: "::", port: v4.address.port))[0]
        #expect(v6.address.family == AF_INET6)
        #expect(v6.address.port == v4.address.port)
    }

    @Test func portInUseNamesTheAddress() throws {
        let first = try Listener.bind(.tcp(host: "127.0.0.1", port: 0))[0]
        let port = first.address.port
        #expect(throws: SocketError.failed(call: "bind 127.0.0.1:\(port)", errno: EADDRINUSE)) {
            _ = try Listener.bind(.tcp(host: "127.0.0.1", port: port))
        }
        let message = SocketError.failed(call: "bind 127.0.0.1:\(port)", errno: EADDRINUSE).description
        #expect(message == "bind 127.0.0.1:\(port): Address already in use")
    }

    @Test func unixEndpointsAreRefused() {
        let refused = SocketError.invalidAddress(address: "unix:/tmp/x.sock", problem: .notTCP)
        #expect(throws: refused) { _ = try Listener.bind(.unix(path: "/tmp/x.sock")) }
        #expect(refused.description == "invalid address unix:/tmp/x.sock (only TCP listeners are supported)")
    }

    /// `sockaddr_un` holds 107 path bytes and a NUL: a longer path is refused with both sizes.
    @Test func aUnixPathTooLongForTheAddressIsRefused() {
        let path = "/tmp/" + String(repeating: "p", count: 200)
        let tooLong = SocketError.invalidAddress(address: path, problem: .unixPathTooLong(bytes: 205, limit: 107))
        #expect(throws: tooLong) { _ = try SocketAddress.unix(path: path) }
        #expect(tooLong.description == "invalid address \(path)")
        #expect(throws: Never.self) { _ = try SocketAddress.unix(path: "/tmp/" + String(repeating: "p", count: 102)) }
    }

    @Test func stopListeningRefusesNewConnections() throws {
        let listener = try Listener.bind(.tcp(host: "127.0.0.1", port: 0))[0]
        listener.stopListening()
        #expect(throws: SocketError.self) {
            _ = try Socket.connect(to: listener.address, deadline: Deadline(after: .milliseconds(500)))
        }
    }
}
