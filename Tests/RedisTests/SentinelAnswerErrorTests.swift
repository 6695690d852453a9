import Testing

@testable import Redis

/// A sentinel's answer is checked before anything connects to it; each refusal is a value that
/// names the problem, is counted under the right `reason` label and prints one line that never
/// carries the sentinel's bytes unescaped.
@Suite struct SentinelAnswerErrorTests {
    private func bulk(_ text: String) -> RESPValue { .bulk(Array(text.utf8)) }

    private func refusal(_ reply: RESPValue) -> SentinelAnswerError? {
        guard case .failure(let error) = SentinelResolver.masterAddress(in: reply, masterName: "mymaster") else {
            return nil
        }
        return error
    }

    @Test func eachRefusalIsAValueWithItsReasonAndLine() {
        let cases: [(RESPValue, SentinelAnswerError, SentinelResolver.FailureReason, String)] = [
            (.null, .noSuchMaster(name: "mymaster"), .unknownMaster, "no master named \"mymaster\" is monitored"),
            (
                .error("ERR No such master"), .errorReply(message: "ERR No such master"), .unknownMaster,
                "error reply: ERR No such master"
            ),
            (
                .array([bulk("127.0.0.1")]), .notHostAndPort(shape: "an array of 1 elements"), .badReply,
                "expected [host, port], got an array of 1 elements"
            ),
            (
                .array([bulk("evil host"), bulk("6379")]), .implausibleHost(bytes: 9), .badReply,
                "implausible master host (9 bytes)"
            ),
            (
                .array([bulk("::"), bulk("6379")]), .unspecifiedHost("::"), .badReply,
                "the unspecified address :: is not a master address"
            ),
            (.array([bulk("127.0.0.1"), bulk("70000")]), .implausiblePort, .badReply, "implausible master port"),
        ]
        for (reply, expected, reason, line) in cases {
            let error = refusal(reply)
            #expect(error == expected)
            #expect(error?.reason == reason)
            #expect(error?.description == line)
        }
    }

    /// Every spelling the resolver would read as the unspecified address (which connects to this
    /// machine, where the master password would go) is refused, not only the three canonical ones;
    /// addresses that merely contain zeros are not.
    @Test func theUnspecifiedAddressIsRefusedInEverySpelling() {
        let unspecified = [
            "0", "0.0", "0.0.0", "0.0.0.0", "00.0.0.0", "0x0", "0X00", "0.0x0.00.0", "000", "::", "::0", "0::0",
            "0:0:0:0:0:0:0:0", "::0.0.0.0", "::ffff:0.0.0.0", "::FFFF:0:0", "0:0:0:0:0:ffff:0.0.0.0",
        ]
        for host in unspecified {
            let error = refusal(.array([bulk(host), bulk("6379")]))
            #expect(error == .unspecifiedHost(host), "\(host)")
            #expect(error?.reason == .badReply, "\(host)")
        }
        for host in ["127.0.0.1", "0.0.0.1", "10.0.0.0", "::1", "::ffff:127.0.0.1", "0a", "redis-0", "0.invalid"] {
            let answer = SentinelResolver.masterAddress(in: .array([bulk(host), bulk("6379")]), masterName: "m")
            #expect((try? answer.get()) == .tcp(host: host, port: 6379), "\(host)")
        }
    }

    @Test func aPlausibleAnswerIsTheMaster() {
        let answer = SentinelResolver.masterAddress(in: .array([bulk("10.0.0.5"), bulk("6380")]), masterName: "m")
        #expect((try? answer.get()) == .tcp(host: "10.0.0.5", port: 6380))
    }

    /// The sentinel's own text (an error reply, the reader's complaint about its bytes) cannot put
    /// a line break or a terminal escape into the log line.
    @Test func aSentinelsTextIsEscaped() {
        let reply = SentinelAnswerError.errorReply(message: "ERR x\r\n\u{1B}[31mfake log line")
        #expect(reply.description == "error reply: ERR x\\r\\n\\x1B[31mfake log line")
        let notRESP = SentinelAnswerError.notRESP(message: "got \u{1B} as reply type byte")
        #expect(notRESP.description == "not RESP: got \\x1B as reply type byte")
        #expect(notRESP.reason == .badReply)
        let unreachable = SentinelAnswerError.unreachable(.timedOut(operation: "read"))
        #expect(unreachable.description == "Redis read timed out")
        #expect(unreachable.reason == .unreachable)
    }
}
