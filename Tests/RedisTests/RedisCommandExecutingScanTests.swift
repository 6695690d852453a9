import Foundation
import TestSupport
import Testing

@testable import Redis

@Suite struct RedisCommandExecutingScanTests {
    @Test func scanAllReturnsEachMatchingKeyOnce() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let expected = Set((0..<5000).map { bytes("celery-task-meta-\($0)") })
        var seed = expected.map { [bytes("SET"), $0, bytes("{}")] }
        seed += (0..<300).map { redisCommand("SET", "other-\($0)", "x") }
        let binaryKey: [UInt8] = bytes("celery-task-meta-") + [0x00, 0xFF, 0x0D, 0x0A]
        seed.append([bytes("SET"), binaryKey, bytes("x")])
        _ = try connection.pipeline(seed)

        let result = try connection.scanAll(match: "celery-task-meta-*", count: 500)
        #expect(result.complete)
        #expect(result.keys.count == 5001)
        #expect(Set(result.keys) == expected.union([binaryKey]))
    }

    @Test func scanStepsCanBeSpreadOverPolls() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        _ = try connection.pipeline((0..<1000).map { redisCommand("SET", "k\($0)", "v") })
        var cursor: [UInt8] = bytes("0")
        var seen = Set<[UInt8]>()
        var steps = 0
        repeat {
            let step = try connection.scanStep(cursor: cursor, count: 100)
            seen.formUnion(step.keys)
            cursor = step.next
            steps += 1
        } while cursor != bytes("0")
        #expect(seen.count == 1000)
        #expect(steps > 1)
    }

    @Test func scanAllStopsAtTheLimit() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        _ = try connection.pipeline((0..<500).map { redisCommand("SET", "k\($0)", "v") })
        let result = try connection.scanAll(count: 50, limit: 120)
        #expect(!result.complete)
        #expect(result.keys.count == 120)
        #expect(Set(result.keys).count == 120)
    }

    @Test func hscanReturnsFieldValuePairs() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        var expected: [[UInt8]: [UInt8]] = [:]
        for index in 0..<300 { expected[bytes("tag-\(index)")] = bytes("{\"body\": \(index)}") }
        expected[[0x00, 0x06, 0x16]] = [0xFF, 0x0D, 0x0A]
        // Seeded independently of the code under test, in one HSET.
        try server.command([bytes("HSET"), bytes("unacked")] + expected.flatMap { [$0.key, $0.value] })
        var found: [[UInt8]: [UInt8]] = [:]
        var cursor = bytes("0")
        repeat {
            let step = try connection.hscanStep(key: bytes("unacked"), cursor: cursor, count: 50)
            for pair in step.pairs { found[pair.field] = pair.value }
            cursor = step.next
        } while cursor != bytes("0")
        #expect(found == expected)
    }

    @Test func scanErrorReplyThrowsServerError() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        #expect(throws: RedisError.server(command: "SCAN", message: "ERR invalid cursor")) {
            try connection.scanStep(cursor: bytes("not-a-cursor"))
        }
        _ = try connection.execute(redisCommand("SET", "str", "x"))
        let error = #expect(throws: RedisError.self) { try connection.hscanStep(key: bytes("str")) }
        #expect(error.map { "\($0)" }?.contains("WRONGTYPE") == true)
    }

    @Test func scanHelpersWorkOnCannedReplies() throws {
        struct Canned: RedisCommandExecuting {
            func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
                #expect(
                    commands == [[bytes("SCAN"), bytes("0"), bytes("MATCH"), bytes("a*"), bytes("COUNT"), bytes("10")]])
                return [.array([.bulk(bytes("0")), .array([.bulk(bytes("a1")), .bulk(bytes("a2"))])])]
            }
        }
        let step = try Canned().scanStep(match: "a*", count: 10)
        #expect(step.next == bytes("0"))
        #expect(step.keys == [bytes("a1"), bytes("a2")])

        struct Malformed: RedisCommandExecuting {
            func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] { [.integer(1)] }
        }
        #expect(throws: RedisError.protocol(message: "SCAN reply is not [cursor, items]")) {
            try Malformed().scanStep()
        }
    }

    @Test func forgedCursorIsRefusedRatherThanSentBack() throws {
        // A server answering SCAN with a huge "cursor" would have it echoed in every later call.
        struct Forged: RedisCommandExecuting {
            let cursor: [UInt8]
            func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
                [.array([.bulk(cursor), .array([])])]
            }
        }
        for cursor in [[UInt8](repeating: 0x37, count: 21), bytes("12a"), []] {
            #expect(throws: RedisError.protocol(message: "SCAN returned a cursor that is not a decimal number")) {
                try Forged(cursor: cursor).scanStep()
            }
        }
        #expect(try Forged(cursor: bytes("18446744073709551615")).scanStep().next == bytes("18446744073709551615"))
    }

    @Test func scanAllGivesUpOnACursorThatNeverEnds() throws {
        // A server that always answers cursor 1 would keep scanAll going for ever.
        final class Endless: RedisCommandExecuting {
            var calls = 0
            func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
                calls += 1
                return [.array([.bulk(bytes("1")), .array([.bulk(bytes("k\(calls % 3)"))])])]
            }
        }
        let endless = Endless()
        let result = try endless.scanAll(maximumSteps: 50)
        #expect(!result.complete)
        #expect(endless.calls == 50)
        #expect(result.keys.count == 3)
    }
}
