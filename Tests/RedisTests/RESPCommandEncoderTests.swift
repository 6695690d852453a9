import Testing

@testable import Redis

@Suite struct RESPCommandEncoderTests {
    @Test func encodesPing() {
        #expect(RESPCommandEncoder.encode(redisCommand("PING")) == Array("*1\r\n$4\r\nPING\r\n".utf8))
    }

    @Test func encodesBinaryArgumentsByLength() {
        let key: [UInt8] = [0x71, 0x06, 0x16, 0x4E]  // kombu's priority list "q\x06\x16N"
        let value: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
        let wire = RESPCommandEncoder.encode([Array("SET".utf8), key, value])
        let expected = Array("*3\r\n$3\r\nSET\r\n$4\r\n".utf8) + key + Array("\r\n$4\r\n".utf8) + value + [0x0D, 0x0A]
        #expect(wire == expected)
    }

    @Test func encodesEmptyArgument() {
        #expect(RESPCommandEncoder.encode([Array("GET".utf8), []]) == Array("*2\r\n$3\r\nGET\r\n$0\r\n\r\n".utf8))
    }

    @Test func appendsToBuffer() {
        var buffer = Array("x".utf8)
        RESPCommandEncoder.encode(redisCommand("LLEN", "celery"), into: &buffer)
        #expect(buffer == Array("x*2\r\n$4\r\nLLEN\r\n$6\r\ncelery\r\n".utf8))
    }
}
